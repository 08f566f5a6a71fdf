package dev.quiver.cli;

/** Code that {@code quiver serve} prints, so a user can fetch a tensor right away. */
final class Snippets {
  private Snippets() {}

  /**
   * The pyarrow-only way to fetch a handle as a numpy array of its shape (any dtype and rank), over the received
   * buffer itself when the tensor came in one batch ({@code combine_chunks} would copy even one chunk); the README
   * shows the same lines and {@code clients/python/tests} run them.
   */
  static String pyarrowFetch(String location, boolean withToken) {
    String options = withToken
        ? ", options=flight.FlightCallOptions(headers=[(b\"authorization\", b\"Bearer \" + TOKEN.encode())])"
        : "";
    return String.join("\n",
        "    import json, pyarrow.flight as flight",
        "    table = flight.connect(\"" + location + "\").do_get(flight.Ticket(handle)" + options + ").read_all()",
        "    chunks = table.column(0)",
        "    column = chunks.chunk(0) if chunks.num_chunks == 1 else chunks.combine_chunks()",
        "    values = column.storage.flatten() if hasattr(column, \"storage\") else column",
        "    x = values.to_numpy(zero_copy_only=False).reshape(json.loads(table.schema.metadata[b\"quiver:shape\"]))");
  }
}
