"""Checks, against TensorFlow itself, every TensorFlow behaviour the executor's session tests claim.

Usage (from the repository root; needs a Python with tensorflow, e.g. bench/.venv, which
`scripts/python-env bench/.venv bench/requirements.txt` creates):
  bench/.venv/bin/python executor/src/test/python/session/tf_session_check.py            # every check
  bench/.venv/bin/python executor/src/test/python/session/tf_session_check.py NAME ...   # some of them
  bench/.venv/bin/python executor/src/test/python/session/tf_session_check.py --list     # names and Java tests

Why: the session tests (SessionFetchTest, TensorHandleTest, PartialRunTest, ...) hold Quiver to what
tf.compat.v1's Session does, quoting TF's error types and messages. Each such comment names a check of this
script ("tf_session_check.py closed-session"); the check builds the same graph in TF's graph mode, runs it, and
asserts what the comment says TF does, so the claim can be re-checked on any TF version. Where Quiver differs on
purpose, the check asserts TF's side and its DIFFERENCE note says what Quiver does instead (docs/tensorflow-users.md
lists the differences).

Prints one line per check, PASS or FAIL with the reason; exit status 1 if any fails. Written against TF 2.21
(tensorflow_cpu); runs in well under a minute. The default test command never runs it (the test venv has no
TensorFlow, which is large), as with differential/tf_crosscheck.py.
"""
import collections
import gc
import os
import sys
import tempfile
import threading
import time
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1
tf1.disable_eager_execution()
tf.get_logger().setLevel("ERROR")  # partial_run_setup's deprecation warning

CPU = "/job:localhost/replica:0/task:0/device:CPU:0"
CHECKS = collections.OrderedDict()


def check(name, covers, difference=None):
    """Registers a check named as the Java comments cite it; covers: the Java tests that rely on it."""
    def register(fn):
        CHECKS[name] = (fn, covers, difference)
        return fn
    return register


class CheckFailed(AssertionError):
    pass


def expect(condition, what):
    if not condition:
        raise CheckFailed(what)


def eq(actual, expected, what=""):
    if isinstance(expected, (str, bytes, type(None))):
        same = actual == expected
    else:
        same = np.array_equal(np.asarray(actual), np.asarray(expected))
    expect(same, f"{what}: expected {expected!r}, TF gives {actual!r}")


def raises(exc_type, fragments, fn):
    """Runs fn and returns the exception it raises, which must be exc_type and contain every fragment."""
    if isinstance(fragments, str):
        fragments = [fragments]
    try:
        value = fn()
    except Exception as e:  # noqa: BLE001 - the type is checked below
        expect(isinstance(e, exc_type), f"expected {exc_type.__name__}, TF raises {type(e).__name__}: {_first(e)}")
        for f in fragments:
            expect(f in str(e), f"{exc_type.__name__} without {f!r}: {_first(e)}")
        return e
    raise CheckFailed(f"expected {exc_type.__name__} {fragments}, TF returns {value!r}")


def _first(e):
    return " | ".join(ln for ln in str(e).splitlines() if ln.strip())[:500]


def session(graph, **config):
    return tf1.Session(graph=graph, config=tf1.ConfigProto(**config) if config else None)


def counter():
    """A variable and an op adding 1 to it, whose output is a tensor that can be fetched and fed (a ref variable:
    a resource variable's assign_add returns the variable itself): the count tells how often the op ran."""
    v = tf1.Variable(0.0, use_resource=False)
    return v, tf1.assign_add(v, 1.0)


# ---------------------------------------------------------------------------------------------------------------
# Session attributes, closing, targets, reset

@check("closed-session", "SessionErrorTest.aClosedSessionRefusesEveryCallWithTensorFlowsRuntimeError, "
       "SessionCallableTest.aCallableFailsOnceTheSessionIsClosed",
       "Quiver's makeCallable fails at once on a closed session (IllegalStateException); TF makes the callable and "
       "fails when it is called")
def closed_session():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(1.0, name="c")
        a = tf1.placeholder(tf.float32, [], name="a")
    s = session(g)
    made_before = s.make_callable(a * 2.0, [a])
    s.close()
    raises(RuntimeError, "Attempted to use a closed Session.", lambda: s.run(c))
    raises(RuntimeError, "Attempted to use a closed Session.", lambda: s.partial_run_setup(c, None))
    raises(RuntimeError, "Attempted to use a closed Session.", lambda: s.partial_run("any", c))
    raises(RuntimeError, "Attempted to use a closed Session.", lambda: made_before(1.0))
    made_after = s.make_callable(a * 2.0, [a])  # no error yet
    raises(RuntimeError, "Attempted to use a closed Session.", lambda: made_after(1.0))
    # the seed: list_devices raises an OpError "if ... session is in an invalid state"
    raises(tf.errors.CancelledError, "Session has been closed.", s.list_devices)
    s.close()  # closing twice is harmless


@check("unknown-target", "SessionErrorTest.otherTargetsAreRefusedUntilRemoteSessionsExist",
       "Quiver refuses every target but \"\" (remote sessions do not exist yet); TF accepts grpc:// targets and "
       "connects on the first run")
def unknown_target():
    e = raises(tf.errors.NotFoundError, ["No session factory registered for the given session options: "
                                         "{target: \"bogus://x\""], lambda: tf1.Session("bogus://x"))
    expect("DIRECT_SESSION" in str(e), "the message lists the registered factories")


@check("session-attributes", "SessionErrorTest.sessStrIsTheTargetAndGraphDefDescribesTheGraph, "
       "DefaultSessionTest.aSessionWithoutAGraphRunsTheDefaultGraph, TensorFlowUsersDocTest.sessionAttributes")
def session_attributes():
    g = tf.Graph()
    with g.as_default():
        tf.constant(1.0, name="c")
        s = tf1.Session()  # no graph given: the default graph
    eq(s.sess_str, b"", "sess_str")
    expect(s.graph is g, "sess.graph is the default graph the session was made in")
    eq([n.name for n in s.graph_def.node], ["c"], "graph_def's nodes")
    eq([d.name for d in s.list_devices()], [CPU], "list_devices")
    s.close()


@check("reset-in-process", "SessionConcurrencyTest.resetClosesEveryInProcessSession")
def reset_in_process():
    # The seed says reset() "is currently only implemented for distributed sessions"; TF 2.21 closes direct ones,
    # and Quiver's Session.reset("", ...) does the same, CancelledException and all.
    g1, g2 = tf.Graph(), tf.Graph()
    with g1.as_default():
        a = tf.constant(2.0)
        h_out = tf1.get_session_handle(a)
    with g2.as_default():
        b = tf.constant(1.0)
    s1, s2 = session(g1), session(g2)
    h = s1.run(h_out)
    raises(tf.errors.NotFoundError, "No session factory registered", lambda: tf1.Session.reset("bogus://x"))
    eq(tf1.Session.reset("", ["no-such-container"]), None, "reset returns")
    raises(tf.errors.CancelledError, "Session has been closed.", lambda: s1.run(a))
    raises(tf.errors.CancelledError, "Session has been closed.", lambda: s2.run(b))
    raises(tf.errors.CancelledError, "Session has been closed.", h.eval)
    raises(tf.errors.CancelledError, "Session has been closed.", lambda: s1.partial_run_setup(a, []))
    s1.close()
    raises(RuntimeError, "Attempted to use a closed Session.", lambda: s1.run(a))
    s3 = session(g1)
    eq(s3.run(a), 2.0, "a session made after the reset runs")
    s3.close()
    s2.close()


# ---------------------------------------------------------------------------------------------------------------
# Fetches

@check("fetch-names", "SessionFetchTest.stringsNameTensorsAndOps, "
       "SessionFetchTest.fetchingAnOperationRunsItAndGivesNull")
def fetch_names():
    g = tf.Graph()
    with g.as_default():
        tf.constant([1.0, 2.0], name="c")
    with session(g) as s:
        r = s.run(["c:0", "c"])
        eq(r[0], [1.0, 2.0], "c:0")
        eq(r[1], None, "an op fetch")
        eq(s.run(g.get_operation_by_name("c")), None, "an Operation fetched alone")


@check("fetch-unknown-name", "SessionFetchTest.aNameNotInTheGraphIsNotFoundWithTensorFlowsWords",
       "Quiver raises NotFoundException where TF raises ValueError")
def fetch_unknown_name():
    g = tf.Graph()
    with g.as_default():
        tf.constant(1.0, name="c")
    with session(g) as s:
        raises(ValueError, ["Argument `fetch` = x:0 cannot be interpreted as a Tensor.",
                            "The operation, 'x', does not exist in the graph."], lambda: s.run("x:0"))
        raises(ValueError, "The name 'x' refers to an Operation not in the graph.", lambda: s.run("x"))
        raises(ValueError, "The operation, 'c', exists but only has 1 outputs.", lambda: s.run("c:5"))


@check("fetch-invalid-type", "SessionFetchTest.fetchesOfInvalidTypeAreIllegalArguments",
       "Quiver names Java's type (\"Integer\") where TF names Python's (\"int\")")
def fetch_invalid_type():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(1.0)
    with session(g) as s:
        raises(TypeError, "Argument `fetch` = 3 has invalid type \"int\" must be a string or Tensor.",
               lambda: s.run(3))
        raises(TypeError, "Argument `fetch` = None has invalid type \"NoneType\". Cannot be None",
               lambda: s.run([c, None]))


@check("fetch-other-graph", "SessionFetchTest.elementsOfAnotherGraphAreIllegalArguments",
       "Quiver raises IllegalArgumentException where TF raises ValueError")
def fetch_other_graph():
    g, other = tf.Graph(), tf.Graph()
    with other.as_default():
        foreign = tf.constant(1.0)
    with g.as_default():
        tf.constant(1.0)
    with session(g) as s:
        raises(ValueError, "is not an element of this graph", lambda: s.run(foreign))


@check("fetch-twice", "SessionFetchTest.aTensorFetchedTwiceIsComputedOnceAndIsOneObjectAtEveryLeaf")
def fetch_twice():
    g = tf.Graph()
    with g.as_default():
        v, c = counter()
    with session(g) as s:
        s.run(v.initializer)
        r = s.run([c, c, {"k": c}])
        expect(r[0] is r[1] and r[0] is r[2]["k"], "one object at every leaf")
        eq(s.run(v), 1.0, "the op ran once")


@check("fetch-fed-tensor", "SessionFetchTest.aFedTensorIsNotComputedAndItsProducerDoesNotRun")
def fetch_fed_tensor():
    g = tf.Graph()
    with g.as_default():
        v, x = counter()
        y = x * 3.0
    with session(g) as s:
        s.run(v.initializer)
        r = s.run([y, x], {x: 5.0})
        eq(r, [15.0, 5.0], "fetching a fed tensor gives the fed value")
        eq(s.run(v), 0.0, "the fed tensor's producer did not run")


@check("fetch-structures", "SessionFetchTest.anEmptyListFetchesAnEmptyList, "
       "SessionFetchTest.mapsKeepTheirKeyOrderAndArraysComeBackAsArrays, TensorFlowUsersDocTest.nestedFetches")
def fetch_structures():
    g = tf.Graph()
    with g.as_default():
        a = tf.constant([10, 20])
        b = tf.constant([1.0, 2.0])
    my_data = collections.namedtuple("MyData", ["a", "b"])
    with session(g) as s:
        eq(s.run([]), [], "sess.run([])")
        v = s.run({"z": a, "k1": my_data(a, b), "k2": [b, a.op]})
        eq(list(v), ["z", "k1", "k2"], "a dict keeps its key order")
        expect(isinstance(v["k1"], my_data), "a namedtuple comes back as the namedtuple")
        eq(v["k1"].a, [10, 20], "k1.a")
        eq(v["k2"][1], None, "an op inside a list")


@check("fetch-sparse", "SessionFetchTest.aSparseTensorIsFetchedAsASparseTensorValue, "
       "SessionFetchTest.aSparseTensorIsFedWithASparseTensorValue")
def fetch_sparse():
    g = tf.Graph()
    with g.as_default():
        st = tf.SparseTensor([[0, 0], [1, 2]], [1.0, 2.0], [3, 4])
        sp = tf1.sparse_placeholder(tf.float32)
        vals = tf.identity(sp.values)
    with session(g) as s:
        v = s.run(st)
        expect(isinstance(v, tf1.SparseTensorValue), "a SparseTensor fetch is a SparseTensorValue")
        eq(v.indices.shape, (2, 2), "indices' shape")
        eq(v.values, [1.0, 2.0], "values")
        eq(v.dense_shape, [3, 4], "dense_shape")
        eq(s.run(vals, {sp: tf1.SparseTensorValue([[0, 1]], [5.0], [2, 2])}), [5.0], "a SparseTensorValue feed")


# ---------------------------------------------------------------------------------------------------------------
# Feeds

@check("feed-values", "SessionFeedTest.anyTensorCanBeFedNotOnlyPlaceholders, "
       "SessionFeedTest.javaValuesAreConvertedToTheTensorsDType, SessionFeedTest.tensorNamesAreFeedKeys, "
       "SessionFeedTest.aPlaceholderWithDefaultYieldsItsDefaultUnlessFed")
def feed_values():
    g = tf.Graph()
    with g.as_default():
        a = tf1.placeholder(tf.float32, [2], name="a")
        c = tf.constant(3.0)
        m = a * c
        p = tf1.placeholder_with_default(tf.constant([1.0, 2.0]), [None])
    with session(g) as s:
        eq(s.run(m, {a: [1.0, 2.0], c: 10.0}), [10.0, 20.0], "any tensor can be fed")
        r = s.run(a, {a: np.array([1, 2], np.int32)})
        eq(r.dtype, np.float32, "ints fed to float32")
        eq(s.run(a, {"a:0": [4.0, 4.0]}), [4.0, 4.0], "a name as the key")
        eq(s.run(p), [1.0, 2.0], "placeholder_with_default unfed")
        eq(s.run(p, {p: [3.0, 4.0, 5.0]}), [3.0, 4.0, 5.0], "placeholder_with_default fed")


@check("feed-bad-values", "SessionFeedTest.aValueOfTheWrongShapeIsInvalidArgumentNamingTheTensor, "
       "SessionFeedTest.aValueThatCannotBeConvertedIsInvalidArgumentNamingTheTensor, "
       "SessionFeedTest.aFeedValueThatIsAGraphElementIsAnIllegalArgument, "
       "SessionFeedTest.aTensorOfAnotherDTypeIsInvalidArgumentNamingTheTensor",
       "Quiver raises InvalidArgumentException where TF raises ValueError; it converts Java arrays to the key's "
       "dtype as TF converts numpy arrays, but feeds a Tensor only to a key of its dtype (a Tensor is shared, "
       "never copied)")
def feed_bad_values():
    g = tf.Graph()
    with g.as_default():
        a = tf1.placeholder(tf.float32, [2], name="a")
        c = tf.constant(1.0)
    with session(g) as s:
        raises(ValueError, "Cannot feed value of shape (3,) for Tensor a:0, which has shape (2,)",
               lambda: s.run(a, {a: [1.0, 2.0, 3.0]}))
        raises(ValueError, "could not convert string to float", lambda: s.run(a, {a: ["x", "y"]}))
        raises(TypeError, "The value of a feed cannot be a tf.Tensor object.", lambda: s.run(a, {a: c}))
        eq(s.run(a, {a: np.array([1, 2], np.int32)}), [1.0, 2.0], "TF converts an int32 array for a float key")


@check("feed-key-types", "SessionFeedTest.feedKeysOfInvalidTypeAreIllegalArgumentsWithTensorFlowsWords")
def feed_key_types():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(1.0, name="c")
    with session(g) as s:
        raises(TypeError, "Cannot interpret feed_dict key as Tensor: Can not convert a int into a Tensor.",
               lambda: s.run(c, {3: 1.0}))
        raises(TypeError, "Can not convert a Operation into a Tensor.", lambda: s.run(c, {c.op: 1.0}))
        raises(TypeError, "The name 'c' refers to an Operation, not a Tensor.", lambda: s.run(c, {"c": 1.0}))
        raises(TypeError, "The operation, 'x', does not exist in the graph.", lambda: s.run(c, {"x:0": 1.0}))


@check("unfed-placeholder", "SessionFeedTest.anUnfedPlaceholderIsInvalidArgumentWithTensorFlowsMessage, "
       "SessionFeedTest.anUnfedPlaceholderMessageNamesItsShapeOnlyWhenItHasDimensions")
def unfed_placeholder():
    g = tf.Graph()
    with g.as_default():
        a = tf1.placeholder(tf.float32, [2], name="a")
        cases = [(a * 2.0, "'a' with dtype float and shape [2]\n"),
                 (tf.identity(tf1.placeholder(tf.float32, [], name="sc")), "'sc' with dtype float\n"),
                 (tf.identity(tf1.placeholder(tf.int32, name="u")), "'u' with dtype int32\n"),
                 (tf.identity(tf1.placeholder(tf.float32, [2, None], name="m2")),
                  "'m2' with dtype float and shape [2,?]"),
                 (tf.identity(tf1.placeholder(tf.float32, [0], name="v0")), "'v0' with dtype float and shape [0]\n")]
    with session(g) as s:
        for fetch, words in cases:
            raises(tf.errors.InvalidArgumentError, "You must feed a value for placeholder tensor " + words,
                   lambda: s.run(fetch))
        # TF appends the node to a kernel's error
        raises(tf.errors.InvalidArgumentError, "[[{{node a}}]]", lambda: s.run(cases[0][0]))


# ---------------------------------------------------------------------------------------------------------------
# make_callable

@check("callable", "SessionCallableTest.aCallableReturnsWhatRunWould, "
       "SessionCallableTest.aCallableOfASingleTensorReturnsATensor, "
       "SessionCallableTest.aTensorListedTwiceInTheFeedListTakesTheLaterValue")
def callable_():
    g = tf.Graph()
    with g.as_default():
        a = tf1.placeholder(tf.float32, [], name="a")
        b = tf1.placeholder(tf.float32, [], name="b")
        y = a * b + 1.0
        v = tf1.placeholder(tf.float32, [2], name="v")
        m = v * 3.0
        y2 = a * 2.0
    with session(g) as s:
        eq(s.make_callable([y, y.op], [a, b])(3.0, 2.0), [7.0, None], "a list with an op")
        eq(s.make_callable(m, ["v:0"])([1.0, 2.0]), [3.0, 6.0], "a single tensor, fed by name")
        eq(s.make_callable(y2, [a, a])(1.0, 2.0), 4.0, "a tensor listed twice takes the later value")
        eq(s.make_callable(y2, [a, "a:0"])(1.0, 2.0), 4.0, "and so under its name")


@check("callable-arity", "SessionCallableTest.aCallableChecksItsArgumentCount",
       "Quiver checks the number of arguments up front (IllegalArgumentException)")
def callable_arity():
    g = tf.Graph()
    with g.as_default():
        a = tf1.placeholder(tf.float32, [2], name="a")
        m = a * 3.0
    with session(g) as s:
        f = s.make_callable(m, [a])
        raises(tf.errors.InvalidArgumentError, "You must feed a value for placeholder tensor 'a'", f)
        eq(f([1.0, 2.0], [5.0, 5.0]), [3.0, 6.0], "TF ignores extra arguments")


@check("callable-options", "SessionCallableTest.optionsNeedAcceptOptions, TensorFlowUsersDocTest.callablesAndDefaults",
       "Quiver's callable made without acceptOptions refuses options with IllegalStateException (TF: TypeError)")
def callable_options():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(1.0)
    trace = tf1.RunOptions(trace_level=tf1.RunOptions.FULL_TRACE)
    with session(g) as s:
        raises(TypeError, "unexpected keyword argument 'options'",
               lambda: s.make_callable(c, None, False)(options=trace))
        md = tf1.RunMetadata()
        eq(s.make_callable(c, None, True)(options=trace, run_metadata=md), 1.0, "with options")
        expect(len(md.step_stats.dev_stats) > 0, "the traced call filled run_metadata's step_stats")


@check("callable-sparse-feed", "SessionCallableTest.aSparseTensorInTheFeedListTakesASparseTensorValue",
       "Quiver's nested keys are Lists (Java has no tuples), their values Lists of the same size")
def callable_sparse_feed():
    g = tf.Graph()
    with g.as_default():
        sp = tf1.sparse_placeholder(tf.float32)
        a = tf1.placeholder(tf.float32, [], name="a")
        total = tf.reduce_sum(sp.values) * a
    with session(g) as s:
        f = s.make_callable(total, [sp, a])
        eq(f(tf1.SparseTensorValue([[0, 0], [1, 1]], [2.0, 3.0], [2, 2]), 10.0), 50.0, "a SparseTensor feed key")
        eq(s.make_callable(a * a, [(a,)])((3.0,)), 9.0, "a nested tuple of keys takes a tuple of values")


# ---------------------------------------------------------------------------------------------------------------
# Persistent tensor handles

@check("handle-string", "TensorHandleTest.aHandleStringHasTensorFlowsShapeNameIdDevice",
       "Quiver's id is the store's secret id, not TF's counter; Quiver's TensorHandle also knows its shape")
def handle_string():
    g = tf.Graph()
    with g.as_default():
        h_out = tf1.get_session_handle(tf.constant([[1.0, 2.0], [3.0, 4.0]]))
        h2_out = tf1.get_session_handle(tf.constant(1.0))
    with session(g) as s:
        h = s.run(h_out)
        eq(h.handle, "GetSessionHandle;0;" + CPU, "the first handle")
        eq(str(h), h.handle, "str(handle)")
        eq(h._dtype, tf.float32, "the handle's dtype")  # TF keeps it as _dtype; Quiver's is dtype()
        eq(s.run(h2_out).handle, "GetSessionHandle_1;1;" + CPU, "the second handle")


@check("handle-fed-as-value", "TensorHandleTest.aHandleFedWhereAValueIsExpectedFeedsTheStoredTensorInPlace")
def handle_fed_as_value():
    g = tf.Graph()
    with g.as_default():
        a = tf1.placeholder(tf.float32, [2], name="a")
        m = a * 3.0
        h_out = tf1.get_session_handle(m)
        ident = tf.identity(a)
    with session(g) as s:
        h = s.run(h_out, {a: [1.0, 2.0]})
        r = s.run([m, ident], {a: h})
        eq(r[0], [9.0, 18.0], "the handle fed to a feeds its value")
        eq(r[1], [3.0, 6.0], "the stored value itself")


@check("handle-deleted", "TensorHandleTest.readingADeletedHandleIsInvalidArgumentWithTensorFlowsMessage, "
       "SeedExamplesTest.deleteSessionTensorRemovesTheHandle")
def handle_deleted():
    g = tf.Graph()
    with g.as_default():
        h_out = tf1.get_session_handle(tf.constant(1.0))
    with session(g) as s:
        h = s.run(h_out)
        with g.as_default():
            p, t = tf1.get_session_tensor(h.handle, tf.float32)
            dp, d = tf1.delete_session_tensor(h.handle)
        eq(s.run(d, {dp: h.handle}), None, "running the deleter")
        raises(tf.errors.InvalidArgumentError, f"The tensor with handle '{h.handle}' is not in the session store.",
               lambda: s.run(t, {p: h.handle}))
        raises(tf.errors.InvalidArgumentError, f"The tensor with handle '{h.handle}' is not in the session store.",
               h.eval)
        raises(tf.errors.InvalidArgumentError, f"Failed to delete a tensor with handle '{h.handle}' in the session "
               "store.", lambda: s.run(d, {dp: h.handle}))


@check("unknown-handle", "TensorHandleTest.anUnknownHandleIsInvalidArgumentNamingIt, "
       "HandleErrorTest.aHandleStringOfTensorFlowsShapeIsNotInTheSessionStore",
       "a string that is no handle at all (\"nope\") fails in TF's Python with ValueError (a device spec it cannot "
       "parse); in Quiver it is InvalidArgumentException \"not in the session store\" with the store's reason")
def unknown_handle():
    g = tf.Graph()
    with g.as_default():
        p, t = tf1.get_session_tensor("GetSessionHandle;0;" + CPU, tf.float32)
        dp, d = tf1.delete_session_tensor("GetSessionHandle;0;" + CPU)
    unknown = "GetSessionHandle;7;" + CPU
    with session(g) as s:
        raises(tf.errors.InvalidArgumentError, f"The tensor with handle '{unknown}' is not in the session store.",
               lambda: s.run(t, {p: unknown}))
        raises(tf.errors.InvalidArgumentError, f"Failed to delete a tensor with handle '{unknown}' in the session "
               "store.", lambda: s.run(d, {dp: unknown}))
        raises(ValueError, "device spec", lambda: s.run(t, {p: "nope"}))


@check("other-session-handle", "HandleErrorTest.anotherSessionsHandleIsNotInThisSessionsStore, "
       "HandleErrorTest.anotherSessionsTensorHandleFedAsAValueNamesTheHandleAndTheTensor")
def other_session_handle():
    g = tf.Graph()
    with g.as_default():
        h_out = tf1.get_session_handle(tf.constant(1.0))
        x = tf1.placeholder(tf.float32, [], name="x")
        y = x + x
    theirs, mine = session(g), session(g)
    h = theirs.run(h_out)
    with g.as_default():
        p, t = tf1.get_session_tensor(h.handle, tf.float32)
        dp, d = tf1.delete_session_tensor(h.handle)
    raises(tf.errors.InvalidArgumentError, f"The tensor with handle '{h.handle}' is not in the session store.",
           lambda: mine.run(t, {p: h.handle}))
    raises(tf.errors.InvalidArgumentError, f"Failed to delete a tensor with handle '{h.handle}' in the session store.",
           lambda: mine.run(d, {dp: h.handle}))
    raises(tf.errors.InvalidArgumentError, "is not in the session store", lambda: mine.run(y, {x: h}))
    eq(h.eval(), 1.0, "the owning session still reads it")
    mine.close()
    theirs.close()


@check("handle-other-dtype", "TensorHandleTest.readingAHandleAsAnotherDTypeIsInvalidArgumentNamingBoth",
       "Quiver raises InvalidArgumentException naming both dtypes where TF raises InternalError")
def handle_other_dtype():
    g = tf.Graph()
    with g.as_default():
        h_out = tf1.get_session_handle(tf.constant(1.0))
    with session(g) as s:
        h = s.run(h_out)
        with g.as_default():
            p, t = tf1.get_session_tensor(h.handle, tf.int32)
        raises(tf.errors.InternalError, "Output 0 of type float does not match declared output type int32",
               lambda: s.run(t, {p: h.handle}))


@check("handle-builders", "TensorHandleTest.getSessionHandleOfANonTensorIsAnIllegalArgument, "
       "TensorHandleTest.getSessionTensorAndDeleteSessionTensorBuildTensorFlowsPairs",
       "TF's get_session_tensor and delete_session_tensor parse the handle's device when the graph is built; "
       "Quiver's take any string there (the handle is fed when the pair runs)")
def handle_builders():
    g = tf.Graph()
    with g.as_default():
        raises(TypeError, "`data` must be of type Tensor.", lambda: tf1.get_session_handle(3))
        raises(TypeError, "`data` must be of type Tensor.", lambda: tf1.get_session_handle(tf.no_op()))
        p, t = tf1.get_session_tensor("GetSessionHandle;0;" + CPU, tf.float32)
        eq(p.name, "Placeholder:0", "get_session_tensor's placeholder")
        eq(p.dtype, tf.string, "its dtype")
        eq(t.name, "GetSessionTensor:0", "get_session_tensor's tensor")
        expect(t.shape.rank is None, "of unknown shape")
        dp, d = tf1.delete_session_tensor("GetSessionHandle;0;" + CPU)
        eq(d.type, "DeleteSessionTensor", "the deleter's type")
        eq(dp.name, "Placeholder_1:0", "the deleter's placeholder")


@check("handle-fetched-twice", "TensorHandleTest.aHandleFetchedTwiceIsOneObjectWhoseHandleLivesWhileAnyLeafIsReachable")
def handle_fetched_twice():
    g = tf.Graph()
    with g.as_default():
        h = tf1.get_session_handle(tf.constant([1.0, 2.0]))
    with session(g) as s:
        r = s.run([h, h, {"x": h}])
        expect(r[0] is r[1] and r[0] is r[2]["x"], "one TensorHandle object at every leaf")
        kept = r[1]
        del r
        gc.collect()
        eq(kept.eval(), [1.0, 2.0], "the kept leaf still reads")


@check("failed-step-keeps-no-handle", "TensorHandleTest.aFailedStepKeepsNoHandleItCreated")
def failed_step_keeps_no_handle():
    g = tf.Graph()
    with g.as_default():
        x = tf1.placeholder(tf.float32, [], name="x")
        h = tf1.get_session_handle(x * 1.0, name="keep")
        with tf.control_dependencies([h]):
            bad = tf.debugging.check_numerics(x, "boom")
        p, t = tf1.get_session_tensor("keep;0;" + CPU, tf.float32)
    with session(g) as s:
        raises(tf.errors.InvalidArgumentError, "boom", lambda: s.run([h, bad], {x: np.nan}))
        raises(tf.errors.InvalidArgumentError, "is not in the session store", lambda: s.run(t, {p: "keep;0;" + CPU}))
        eq(s.run([h, bad], {x: 1.0})[0].handle, "keep;1;" + CPU, "the failed step's handle id was used, not kept")


@check("unreachable-handle-deleted", "TensorHandleTest.aHandleNoLongerReachableIsDeleted")
def unreachable_handle_deleted():
    g = tf.Graph()
    with g.as_default():
        h_out = tf1.get_session_handle(tf.constant(1.0))
        c = tf.constant(0.0)
    with session(g) as s:
        first = s.run(h_out)
        handle = first.handle
        with g.as_default():
            p, t = tf1.get_session_tensor(handle, tf.float32)
        del first
        for _ in range(10):  # TF deletes dead handles in batches of 10, at the next run
            s.run(h_out)
        gc.collect()
        s.run(c)
        raises(tf.errors.InvalidArgumentError, "is not in the session store", lambda: s.run(t, {p: handle}))


@check("handle-feeds", "HandleFeedTest (every test)",
       "Quiver feeds a TensorHandle given for the placeholder of a get_session_tensor or delete_session_tensor pair "
       "its handle string, where TF feeds the stored value and fails")
def handle_feeds():
    g = tf.Graph()
    with g.as_default():
        hs_out = tf1.get_session_handle(tf.constant("stored-string"))
        hf_out = tf1.get_session_handle(tf.constant(12.0))
        ha_out = tf1.get_session_handle(tf.constant("again"))
        sp = tf1.placeholder(tf.string, [])
        sp_id = tf.identity(sp)
        st = tf.identity(tf.constant("x"))
    with session(g) as s:
        hs, hf, ha = s.run([hs_out, hf_out, ha_out])
        eq(s.run(sp_id, {sp: hs}), b"stored-string", "a string handle fed to a string placeholder")
        eq(s.run(st, {st: hs}), b"stored-string", "a string handle fed to a string tensor that is no placeholder")
        raises(tf.errors.InvalidArgumentError, "Expects arg[0] to be string but float is provided",
               lambda: s.run(sp_id, {sp: hf}))
        with g.as_default():
            pf, tf_ = tf1.get_session_tensor(hf.handle, tf.float32)
            ps, ts = tf1.get_session_tensor(hs.handle, tf.string)
            dpa, da = tf1.delete_session_tensor(ha.handle)
        raises(tf.errors.InvalidArgumentError, "Expects arg[0] to be string but float is provided",
               lambda: s.run(tf_, {pf: hf}))
        eq(s.run(tf_, {pf: hf.handle}), 12.0, "the documented form feeds h.handle")
        raises(tf.errors.InvalidArgumentError, "The tensor with handle 'stored-string' is not in the session store.",
               lambda: s.run(ts, {ps: hs}))
        raises(tf.errors.InvalidArgumentError, "Failed to delete a tensor with handle 'again' in the session store.",
               lambda: s.run(da, {dpa: ha}))


# ---------------------------------------------------------------------------------------------------------------
# partial_run

def _three_placeholders():
    x = tf1.placeholder(tf.float32, [], name="x")
    y = tf1.placeholder(tf.float32, [], name="y")
    z = tf1.placeholder(tf.float32, [], name="z")
    r1 = tf.identity(x + y, name="r1")
    r2 = tf.identity(r1 * z, name="r2")
    return x, y, z, r1, r2


@check("partial-run-rules", "PartialRunTest.aFetchThatNeedsAFeedNotGivenYetNamesTheFeed, "
       "PartialRunTest.feedsAndFetchesMustBeDeclaredAndUsedOnce, PartialRunTest.anUnknownHandleIsRefused, "
       "PartialRunTest.independentPartialRunsOfOneSetupDoNotInterfere, TensorFlowUsersDocTest.partialRun")
def partial_run_rules():
    g = tf.Graph()
    with g.as_default():
        x, y, z, r1, r2 = _three_placeholders()
        other = tf1.placeholder(tf.float32, name="other")
    invalid = tf.errors.InvalidArgumentError
    with session(g) as s:
        h = s.partial_run_setup([r1, r2], [x, y, z])
        raises(invalid, "Fetch z:0 can't be computed from the feeds that have been fed so far.",
               lambda: s.partial_run(h, r2, {x: 1.0, y: 2.0}))
        h = s.partial_run_setup([r1, r2], [x, y, z])
        raises(invalid, "The feed other:0 was not specified in partial_run_setup.",
               lambda: s.partial_run(h, r1, {other: 1.0}))
        raises(invalid, "The fetch other:0 was not specified in partial_run_setup.",
               lambda: s.partial_run(h, other, {x: 1.0, y: 2.0}))
        eq(s.partial_run(h, r1, {x: 1.0, y: 2.0}), 3.0, "r1")
        raises(invalid, "The feed x:0 has already been fed.", lambda: s.partial_run(h, r2, {x: 1.0}))
        raises(invalid, "The fetch r1:0 has already been fetched.", lambda: s.partial_run(h, r1, {z: 3.0}))
        eq(s.partial_run(h, r2, {z: 3.0}), 9.0, "r2")
        raises(invalid, "Must run 'setup' before performing partial runs!", lambda: s.partial_run(h, r2))
        raises(invalid, "Must run 'setup' before performing partial runs!", lambda: s.partial_run("nope", r2))
        h1 = s.partial_run_setup([r1], [x, y])
        h2 = s.partial_run_setup([r1], [x, y])
        eq(s.partial_run(h1, r1, {x: 1.0, y: 1.0}), 2.0, "the first of two partial runs")
        eq(s.partial_run(h2, r1, {x: 5.0, y: 5.0}), 10.0, "the second")


@check("partial-run-target-op", "PartialRunTest.operationsToRunBelongInTheSetupNotInAPartialRun",
       "Quiver raises IllegalStateException for TF's RuntimeError")
def partial_run_target_op():
    g = tf.Graph()
    with g.as_default():
        x, y, z, r1, r2 = _three_placeholders()
        v, inc = counter()
        with tf.control_dependencies([x]):
            side = tf.identity(inc).op
    with session(g) as s:
        s.run(v.initializer)
        h = s.partial_run_setup([r1, side], [x, y])
        raises(RuntimeError, "partial_run() requires empty `target_list`. Received: target_list=[<tf.Operation 'r1' "
               "type=Identity>] (non-empty)", lambda: s.partial_run(h, r1.op, {x: 1.0}))
        eq(s.partial_run(h, r1, {x: 1.0, y: 2.0}), 3.0, "r1")
        eq(s.run(v), 1.0, "the op given to the setup ran")


@check("partial-run-timeout", "PartialRunTest.eachCallIsBoundByTheOperationTimeout")
def partial_run_timeout():
    g = tf.Graph()
    with g.as_default():
        x = tf1.placeholder(tf.float32, [], name="x")
        deq = tf.queue.FIFOQueue(1, tf.float32).dequeue()  # blocks: nothing is ever enqueued
        quick = x + x
        slow = deq + x
    with session(g, operation_timeout_in_ms=50) as s:
        h = s.partial_run_setup([quick, slow], [x])
        raises(tf.errors.DeadlineExceededError, "Timed out waiting for notification",
               lambda: s.partial_run(h, slow, {x: 1.0}))
        raises(tf.errors.InvalidArgumentError, "Must run 'setup' before performing partial runs!",
               lambda: s.partial_run(h, quick))


# ---------------------------------------------------------------------------------------------------------------
# Control dependencies on fed tensors

@check("control-dependency-feeds", "ControlDependencyFeedTest.aFedPlaceholderThatIsAControlDependencyDoesNotRun, "
       "ControlDependencyFeedTest.aFedOpOtherThanAPlaceholderStillRunsWhenItIsAControlDependency, "
       "ControlDependencyFeedTest.aFedTensorWhoseOpHasUnfedControlInputsDoesNotNeedThem")
def control_dependency_feeds():
    g = tf.Graph()
    with g.as_default():
        a = tf1.placeholder(tf.float32, [], name="a")
        with tf.control_dependencies([a]):
            y = tf.identity(tf.constant(2.0))
        q = tf1.placeholder(tf.float32, [], name="q")
        n = tf.identity(q, name="n")
        with tf.control_dependencies([n]):
            y2 = tf.identity(tf.constant(2.0))
        v, inc = counter()
        with tf.control_dependencies([inc]):
            z = tf.identity(tf.constant(2.0))
        with tf.control_dependencies([q]):
            m = tf.identity(tf.constant(2.0))
    with session(g) as s:
        eq(s.run(y, {a: 1.0}), 2.0, "a fed placeholder as a control dependency")
        raises(tf.errors.InvalidArgumentError, "You must feed a value for placeholder tensor 'a'", lambda: s.run(y))
        raises(tf.errors.InvalidArgumentError, "You must feed a value for placeholder tensor 'q'",
               lambda: s.run(y2, {n: 1.0}))
        s.run(v.initializer)
        eq(s.run(z, {inc: 7.0}), 2.0, "a fed assign_add as a control dependency")
        eq(s.run(v), 1.0, "the fed op ran")
        eq(s.run(m + 1.0, {m: 10.0}), 11.0, "a fed tensor whose op has an unfed control input")


@check("control-dependency-partial-run",
       "ControlDependencyFeedTest.aPartialRunWaitsForTheFeedOfAPlaceholderThatIsAControlDependency",
       "Quiver fails at once with InvalidArgumentException naming the feed the fetch waits for; TF waits (forever "
       "without an operation timeout)")
def control_dependency_partial_run():
    g = tf.Graph()
    with g.as_default():
        p = tf1.placeholder(tf.float32, [], name="p")
        q = tf1.placeholder(tf.float32, [], name="q")
        with tf.control_dependencies([p]):
            y = tf.identity(tf.constant(2.0))
        r = q + 1.0
    with session(g, operation_timeout_in_ms=500) as s:
        h = s.partial_run_setup([y, r], [p, q])
        start = time.time()
        raises(tf.errors.DeadlineExceededError, "Timed out waiting for notification",
               lambda: s.partial_run(h, y, {q: 1.0}))
        expect(time.time() - start >= 0.4, "TF waited for the feed until the timeout")
    with session(g) as s:
        h2 = s.partial_run_setup([y, r], [p, q])
        eq(s.partial_run(h2, y, {p: 1.0}), 2.0, "y once p is fed")
        eq(s.partial_run(h2, r, {q: 1.0}), 2.0, "then r")


# ---------------------------------------------------------------------------------------------------------------
# The default session

@check("default-session", "DefaultSessionTest (every test), "
       "TensorFlowUsersDocTest.withSessionIsASessionAndItsDefaultScope",
       "Quiver raises IllegalStateException where TF raises ValueError")
def default_session():
    g, g2 = tf.Graph(), tf.Graph()
    with g.as_default():
        c = tf.constant(3.0)
    raises(ValueError, "Cannot evaluate tensor using `eval()`: No default session is registered.", c.eval)
    with g.as_default(), tf1.Session() as s:
        eq(c.eval(), 3.0, "c.eval() inside with tf.compat.v1.Session()")
        expect(tf1.get_default_session() is s, "the with block makes the session the default")
        seen = {}
        t = threading.Thread(target=lambda: seen.setdefault("default", tf1.get_default_session()))
        t.start()
        t.join()
        eq(seen["default"], None, "another thread's default session")
    raises(RuntimeError, "Attempted to use a closed Session.", lambda: s.run(c))
    eq(tf1.get_default_session(), None, "the default after the with block")
    s1, s2 = session(g), session(g)
    with s1.as_default():
        with s2.as_default():
            expect(tf1.get_default_session() is s2, "the inner scope's session")
        expect(tf1.get_default_session() is s1, "the outer scope's session again")
    eq(s1.run(c), 3.0, "as_default did not close the session")
    with g2.as_default():
        other = session(g2)
    with other.as_default():
        raises(ValueError, "Cannot use the default session to evaluate tensor: the tensor's graph is different from "
               "the session's graph.", c.eval)
    with g.as_default():
        v, inc = counter()
        inc = inc.op
    s1.run(v.initializer)
    with s1.as_default():
        inc.run()
    eq(s1.run(v), 1.0, "op.run() ran in the default session")
    for x in (s1, s2, other):
        x.close()


# ---------------------------------------------------------------------------------------------------------------
# Deadlines and closing while steps run

@check("run-timeout", "SessionConcurrencyTest.aStepPastItsDeadlineIsCancelledAndFreed, "
       "SessionConcurrencyTest.theSessionsOperationTimeoutIsEveryStepsDefaultDeadline, "
       "SessionCallableTest.theRunnersOptionsSetTheStepsDeadline")
def run_timeout():
    g = tf.Graph()
    with g.as_default():
        deq = tf.queue.FIFOQueue(1, tf.float32).dequeue()
        c = tf.constant(1.0)
    with session(g) as s:
        raises(tf.errors.DeadlineExceededError, "Timed out waiting for notification",
               lambda: s.run(deq, options=tf1.RunOptions(timeout_in_ms=50)))
        eq(s.run(c), 1.0, "the session runs on after a deadline")
    with session(g, operation_timeout_in_ms=50) as s:
        raises(tf.errors.DeadlineExceededError, "Timed out waiting for notification", lambda: s.run(deq))


@check("close-cancels-running-step", "SessionConcurrencyTest.closingASessionCancelsRunningStepsCleanly, "
       "SessionConcurrencyTest.resultsOutliveTheSession")
def close_cancels_running_step():
    g = tf.Graph()
    with g.as_default():
        m = tf1.placeholder(tf.float64, [600, 600])
        y = m
        for _ in range(400):  # a chain of small products: the step ends between two of them
            y = tf.matmul(y, m)
    s = session(g, inter_op_parallelism_threads=1, intra_op_parallelism_threads=1)
    outcome = {}

    def step():
        try:
            outcome["value"] = s.run(y, {m: np.eye(600)})
        except Exception as e:  # noqa: BLE001
            outcome["error"] = e
    t = threading.Thread(target=step)
    t.start()
    time.sleep(0.3)
    s.close()
    t.join(60)
    e = outcome.get("error")
    expect(isinstance(e, tf.errors.CancelledError), f"the running step fails with CancelledError, not {outcome}")
    expect("Run call was cancelled" in str(e), f"CancelledError says: {_first(e)}")
    s2 = session(g)
    kept = s2.run(m, {m: np.eye(600)})
    s2.close()
    eq(kept.sum(), 600.0, "a fetched value survives the session's close")


@check("deadline-waits-for-running-kernel", "KernelCancellationTest (class comment), docs/tensorflow-users.md",
       "Quiver stops a kernel between slices of its intra-op work; TF lets the running kernel finish")
def deadline_waits_for_running_kernel():
    g = tf.Graph()
    with g.as_default():
        m = tf1.placeholder(tf.float64, [3000, 3000])
        y = tf.matmul(m, m)
    x = np.random.default_rng(1).random((3000, 3000))
    with session(g) as s:
        s.run(y, {m: x})
        start = time.time()
        s.run(y, {m: x})
        full = time.time() - start
        start = time.time()
        raises(tf.errors.DeadlineExceededError, "Timed out waiting for notification",
               lambda: s.run(y, {m: x}, options=tf1.RunOptions(timeout_in_ms=50)))
        took = time.time() - start
        expect(took > 0.5 * full, f"the deadline ended the step after {took:.2f}s; the product takes {full:.2f}s")


# ---------------------------------------------------------------------------------------------------------------
# Graph building

@check("op-names", "GraphTest.repeatedDefaultNamesGetTensorFlowSuffixes, "
       "GraphTest.explicitNamesAreMadeUniqueCaseInsensitively, "
       "GraphTest.buildingNamedOpsInScopesFromManyThreadsGivesTensorFlowsNames, "
       "GraphTest.aTakenSuffixIsSkipped, GraphTest.nameScopesPrefixOpsAndAreUniqueThemselves, "
       "GraphTest.groupDependsOnEveryInput")
def op_names():
    g = tf.Graph()
    with g.as_default():
        eq([tf.constant(1.0).op.name for _ in range(3)], ["Const", "Const_1", "Const_2"], "default names")
        eq([tf.constant(1.0, name=n).op.name for n in ("c", "c", "C")], ["c", "c_1", "C_2"], "explicit names")
        tf.constant(1.0, name="a_1")
        tf.constant(1.0, name="a")
        eq(tf.constant(1.0, name="a").op.name, "a_2", "a taken suffix is skipped")
        with tf.name_scope("layer"):
            eq(tf.constant(1.0).op.name, "layer/Const", "in a scope")
            with tf.name_scope("inner"):
                eq(tf.constant(1.0, name="x").op.name, "layer/inner/x", "in a nested scope")
        with tf.name_scope("layer"):
            eq(tf.constant(1.0).op.name, "layer_1/Const", "a second scope of the same name")
        eq(tf.group(tf.constant(1.0), tf.no_op()).name, "group_deps", "tf.group")


@check("multiply-names", "GraphTest.multiplyIsNamedAsPythonsOperator, "
       "GraphTest.buildingNamedOpsInScopesFromManyThreadsGivesTensorFlowsNames",
       "Quiver's tf.math.multiply/add/subtract name their ops as Python's operators do (mul, add, sub), since "
       "Java has no operator to stand for; TF's tf.math.multiply names its op after the op type (Mul)")
def multiply_names():
    with tf.Graph().as_default():
        a, b = tf.constant(2.0), tf.constant(3.0)
        eq([(a * b).op.name, (a * b).op.name], ["mul", "mul_1"], "a * b")
        with tf.name_scope("layer"):
            eq((a * b).op.name, "layer/mul", "a * b in a scope")
        eq([(a + b).op.name, (a - b).op.name], ["add", "sub"], "a + b, a - b")
    with tf.Graph().as_default():
        a, b = tf.constant(2.0), tf.constant(3.0)
        eq([tf.math.multiply(a, b).op.name, tf.math.multiply(a, b).op.name], ["Mul", "Mul_1"], "tf.math.multiply")
        eq((a * b).op.name, "mul_2", "a * b after Mul_1: names are unique ignoring case")


FacadeInputs = collections.namedtuple("FacadeInputs", "x xi xu flags idx a3 m45 c325 start value sp")


def facade_inputs():
    """The placeholders FacadeNamingTest's calls take, named as there."""
    p = tf1.placeholder
    return FacadeInputs(p(tf.float32, [2, 3], name="x"), p(tf.int32, [2, 3], name="xi"), p(tf.float32, name="xu"),
                        p(tf.bool, [2, 3], name="flags"), p(tf.int32, [2, 1], name="idx"),
                        p(tf.float32, [2, 3, 4], name="a3"), p(tf.float32, [4, 5], name="m45"),
                        p(tf.float32, [3, 2, 5], name="c325"), p(tf.float32, [], name="start"),
                        p(tf.float32, [2], name="value"),
                        tf.sparse.SparseTensor(p(tf.int64, [1, 2], name="spi"), p(tf.float32, [1], name="spv"),
                                               p(tf.int64, [2], name="sps")))


def added_by(build):
    """The names of the ops build(inputs) adds to a fresh graph, and the name of the op it returns."""
    with tf.Graph().as_default() as g:
        i = facade_inputs()
        before = len(g.get_operations())
        out = build(i)
        out = out[0] if isinstance(out, (list, tuple)) else out
        return [op.name for op in g.get_operations()[before:]], out.op.name


def op_or_operator(fn, operator):
    """fn when named, else Python's operator, whose default name Quiver's facade keeps (add, mul, ...)."""
    return lambda i, kw: fn(i, kw) if kw else operator(i)


# (call, build(inputs, {"name": n}, or {} for the default name), helpers with {op} for the op's name,
#  the default name, or None where Quiver's default differs from TF's)
FACADE_CALLS = [
    ("math.add(x, 2.0)", op_or_operator(lambda i, kw: tf.add(i.x, 2.0, **kw), lambda i: i.x + 2.0), ["{op}/y"],
     "add"),
    ("math.subtract(x, 2.0)", op_or_operator(lambda i, kw: tf.subtract(i.x, 2.0, **kw), lambda i: i.x - 2.0),
     ["{op}/y"], "sub"),
    ("math.multiply(x, 2.0)", op_or_operator(lambda i, kw: tf.multiply(i.x, 2.0, **kw), lambda i: i.x * 2.0),
     ["{op}/y"], "mul"),
    ("math.divide(x, 2.0)", lambda i, kw: tf.math.divide(i.x, 2.0, **kw), ["{op}/y"], "truediv"),
    ("math.pow(x, 2.0)", op_or_operator(lambda i, kw: tf.pow(i.x, 2.0, **kw), lambda i: i.x ** 2.0), ["{op}/y"],
     "pow"),
    ("math.maximum(x, 1.0)", lambda i, kw: tf.maximum(i.x, 1.0, **kw), ["{op}/y"], "Maximum"),
    ("math.minimum(x, 1.0)", lambda i, kw: tf.minimum(i.x, 1.0, **kw), ["{op}/y"], "Minimum"),
    ("math.less(x, 1.0)", lambda i, kw: tf.less(i.x, 1.0, **kw), ["{op}/y"], "Less"),
    ("math.greater(x, 1.0)", lambda i, kw: tf.greater(i.x, 1.0, **kw), ["{op}/y"], "Greater"),
    ("math.truediv(xi, xi)", lambda i, kw: tf.math.truediv(i.xi, i.xi, **kw), ["{op}/Cast", "{op}/Cast_1"],
     "truediv"),
    ("math.divide(xi, 2)", lambda i, kw: tf.math.divide(i.xi, 2, **kw), ["{op}/y", "{op}/Cast", "{op}/Cast_1"],
     "truediv"),
    ("math.logicalXor(flags, flags)", lambda i, kw: tf.math.logical_xor(i.flags, i.flags, **kw),
     ["LogicalOr", "LogicalAnd", "LogicalNot"], "LogicalXor"),
    ("math.reduceSum(x, 0)", lambda i, kw: tf.reduce_sum(i.x, [0], **kw), ["{op}/reduction_indices"], "Sum"),
    ("math.reduceMean(x, 0)", lambda i, kw: tf.reduce_mean(i.x, [0], **kw), ["{op}/reduction_indices"], "Mean"),
    ("math.reduceMax(x, 1)", lambda i, kw: tf.reduce_max(i.x, [1], **kw), ["{op}/reduction_indices"], "Max"),
    ("math.reduceMin(x, 1)", lambda i, kw: tf.reduce_min(i.x, [1], **kw), ["{op}/reduction_indices"], "Min"),
    ("math.reduceProd(x, 1)", lambda i, kw: tf.reduce_prod(i.x, [1], **kw), ["{op}/reduction_indices"], "Prod"),
    ("math.reduceAll(flags, 1)", lambda i, kw: tf.reduce_all(i.flags, [1], **kw), ["{op}/reduction_indices"],
     "All"),
    ("math.reduceAny(flags, 1)", lambda i, kw: tf.reduce_any(i.flags, [1], **kw), ["{op}/reduction_indices"],
     "Any"),
    ("math.reduceSum(x) of known rank", lambda i, kw: tf.reduce_sum(i.x, **kw), ["Const"], "Sum"),
    ("math.reduceMean(x) of known rank", lambda i, kw: tf.reduce_mean(i.x, **kw), ["Const"], "Mean"),
    ("math.reduceSum(xu) of unknown rank", lambda i, kw: tf.reduce_sum(i.xu, **kw),
     ["Rank", "range/start", "range/delta", "range"], "Sum"),
    ("math.argMax(x, 1)", lambda i, kw: tf.argmax(i.x, 1, **kw), ["{op}/dimension"], "ArgMax"),
    ("math.argMin(x, 1)", lambda i, kw: tf.argmin(i.x, 1, **kw), ["{op}/dimension"], "ArgMin"),
    ("math.cumsum(x, 1)", lambda i, kw: tf.cumsum(i.x, 1, **kw), ["{op}/axis"], "Cumsum"),
    ("math.cumprod(x, 1)", lambda i, kw: tf.math.cumprod(i.x, 1, **kw), ["{op}/axis"], "Cumprod"),
    ("array.reshape(x, 3, 2)", lambda i, kw: tf.reshape(i.x, [3, 2], **kw), ["{op}/shape"], "Reshape"),
    ("array.transpose(x)", lambda i, kw: tf.transpose(i.x, **kw), ["{op}/perm"], "transpose"),
    ("array.expandDims(x, 0)", lambda i, kw: tf.expand_dims(i.x, 0, **kw), ["{op}/dim"], "ExpandDims"),
    ("array.broadcastTo(x, 4, 2, 3)", lambda i, kw: tf.broadcast_to(i.x, [4, 2, 3], **kw), ["{op}/shape"],
     "BroadcastTo"),
    ("array.concat([x, x], 0)", lambda i, kw: tf.concat([i.x, i.x], 0, **kw), ["{op}/axis"], "concat"),
    ("array.split(x, 3, 1)", lambda i, kw: tf.split(i.x, 3, 1, **kw), ["{op}/split_dim"], "split"),
    ("array.split(x, [1, 2], 1)", lambda i, kw: tf.split(i.x, [1, 2], 1, **kw), ["Const", "{op}/split_dim"],
     "split"),
    ("array.slice(x, [0, 0], [1, 2])", lambda i, kw: tf.slice(i.x, [0, 0], [1, 2], **kw),
     ["{op}/begin", "{op}/size"], "Slice"),
    ("array.stridedSlice(x, ...)", lambda i, kw: tf.strided_slice(i.x, [0, 0], [1, 2], [1, 1], **kw),
     ["{op}/begin", "{op}/end", "{op}/strides"], None),
    ("array.gather(x, idx, 1)", lambda i, kw: tf.gather(i.x, i.idx, axis=1, **kw), ["{op}/axis"], "GatherV2"),
    ("array.scatterNd(idx, value, 4)", lambda i, kw: tf.scatter_nd(i.idx, i.value, [4], **kw), ["{op}/shape"],
     "ScatterNd"),
    ("array.tile(x, 2, 1)", lambda i, kw: tf.tile(i.x, [2, 1], **kw), ["{op}/multiples"], "Tile"),
    ("array.pad(x, paddings)", lambda i, kw: tf.pad(i.x, [[1, 1], [0, 0]], **kw), ["{op}/paddings"], "Pad"),
    ("array.pad(x, paddings, CONSTANT, 1f)", lambda i, kw: tf.pad(i.x, [[1, 1], [0, 0]], constant_values=1.0, **kw),
     ["{op}/paddings", "{op}/constant_values"], None),
    ("array.pad(x, paddings, REFLECT)", lambda i, kw: tf.pad(i.x, [[1, 1], [0, 0]], mode="REFLECT", **kw),
     ["{op}/paddings"], "MirrorPad"),
    ("array.reverse(x, 1)", lambda i, kw: tf.reverse(i.x, [1], **kw), ["{op}/axis"], "ReverseV2"),
    ("array.fill([2, 2], start)", lambda i, kw: tf.fill([2, 2], i.start, **kw), ["{op}/dims"], "Fill"),
    ("array.zeros([2000], FLOAT32)", lambda i, kw: tf.zeros([2000], tf.float32, **kw),
     ["{op}/shape_as_tensor", "{op}/Const"], "zeros"),
    ("array.ones([2000], FLOAT32)", lambda i, kw: tf.ones([2000], tf.float32, **kw),
     ["{op}/shape_as_tensor", "{op}/Const"], "ones"),
    ("array.oneHot(xi, 4)", lambda i, kw: tf.one_hot(i.xi, 4, **kw), ["{op}/on_value", "{op}/off_value", "{op}/depth"],
     "one_hot"),
    ("array.range(0, 5, 1)", lambda i, kw: tf.range(0, 5, 1, **kw), ["{op}/start", "{op}/limit", "{op}/delta"],
     "range"),
    ("linalg.tensordot(a3, m45, 1)", lambda i, kw: tf.tensordot(i.a3, i.m45, 1, **kw),
     ["{op}/Reshape/shape", "{op}/Reshape", "{op}/MatMul", "{op}/shape"], "Tensordot"),
    ("random.uniform([2], 1.0, 3.0)", lambda i, kw: tf1.random.uniform([2], 1.0, 3.0, seed=1, **kw),
     ["{op}/shape", "{op}/min", "{op}/max", "{op}/RandomUniform", "{op}/sub", "{op}/mul"], "random_uniform"),
    ("random.uniform([2], 1, 10) of int32", lambda i, kw: tf1.random.uniform([2], 1, 10, tf.int32, seed=1, **kw),
     ["{op}/shape", "{op}/min", "{op}/max"], "random_uniform"),
    ("random.normal([2], 1.0, 2.0)", lambda i, kw: tf1.random.normal([2], 1.0, 2.0, seed=1, **kw),
     ["{op}/shape", "{op}/mean", "{op}/stddev", "{op}/RandomStandardNormal", "{op}/mul"], "random_normal"),
    ("random.truncatedNormal([2])", lambda i, kw: tf1.random.truncated_normal([2], seed=1, **kw),
     ["{op}/shape", "{op}/mean", "{op}/stddev", "{op}/TruncatedNormal", "{op}/mul"], "truncated_normal"),
    ("sparse.toDense(indices, values, shape)",
     lambda i, kw: tf1.sparse_to_dense(i.sp.indices, i.sp.dense_shape, i.sp.values, **kw), ["{op}/default_value"],
     "SparseToDense"),
    ("sparse.toDense(sp)", lambda i, kw: tf.sparse.to_dense(i.sp, **kw), ["zeros"], "SparseToDense"),
    ("sparse.reduceSum(sp, [1])", lambda i, kw: tf.sparse.reduce_sum(i.sp, [1], **kw), ["{op}/reduction_axes"],
     "SparseReduceSum"),
]


@check("facade-names", "FacadeNamingTest (each row TF builds alike, named and by default), "
       "FacadeNamingTest.tensorFlowsOwnExamples",
       "where TF's composite returns an op inside its name scope (tf.tensordot when no final reshape is needed: "
       "Tensordot/MatMul; tf.random.uniform in [0, 1): random_uniform/RandomUniform, or from 0: random_uniform/Mul; "
       "tf.concat of one value: concat/concat, n/n when named n), Quiver gives the op it returns the scope's name "
       "(and builds no concat_dim); tf.zeros and tf.ones of fewer than 1000 elements are one Const in TF, a Fill "
       "named as for larger shapes in Quiver; tf.nn.softmax over another axis computes its permutations at run "
       "time in TF, they are constants (n/perm) in Quiver")
def facade_names():
    for call, build, helpers, default in FACADE_CALLS:
        for name in ["n"] + ([default] if default else []):
            added, returned = added_by(lambda i: build(i, {"name": name} if name == "n" else {}))
            eq(added, [h.replace("{op}", name) for h in helpers] + [name], f"{call} named {name!r}")
            eq(returned, name, f"{call}: the op returned")
    # Each op opens its name scope when called: the second is made unique, helpers and all
    added, _ = added_by(lambda i: [tf.reduce_sum(i.x, 0), tf.reduce_sum(i.x, 0)])
    eq(added, ["Sum/reduction_indices", "Sum", "Sum_1/reduction_indices", "Sum_1"], "reduce_sum twice")
    added, _ = added_by(lambda i: [tf.reduce_sum(i.x), tf.reduce_sum(i.x)])
    eq(added, ["Const", "Sum", "Const_1", "Sum_1"], "reduce_sum over every axis twice")
    added, _ = added_by(lambda i: [tf.multiply(i.x, i.x), i.x * 2.0])
    eq(added, ["Mul", "mul_1/y", "mul_1"], "names are unique ignoring case, helpers follow their op")

    def in_scopes(i):
        with tf.name_scope("layer"):
            tf.reduce_sum(i.x, 0, name="s")
            with tf.name_scope("inner"):
                return i.x + 2.0
    added, _ = added_by(in_scopes)
    eq(added, ["layer/s/reduction_indices", "layer/s", "layer/inner/add/y", "layer/inner/add"], "in name scopes")
    # The differences: TF's returned op is inside its own name scope
    added, returned = added_by(lambda i: tf.tensordot(i.a3, i.c325, [[0, 1], [1, 0]], name="n"))
    eq(added, ["n/transpose/perm", "n/transpose", "n/Reshape/shape", "n/Reshape", "n/transpose_1/perm",
               "n/transpose_1", "n/Reshape_1/shape", "n/Reshape_1", "n/MatMul"], "tensordot without a final reshape")
    eq(returned, "n/MatMul", "tensordot without a final reshape returns its MatMul")
    added, returned = added_by(lambda i: tf1.random.uniform([2], seed=1, name="n"))
    eq(added, ["n/shape", "n/RandomUniform"], "uniform in [0, 1)")
    eq(returned, "n/RandomUniform", "uniform in [0, 1) returns its raw op")
    added, returned = added_by(lambda i: tf1.random.uniform([2], 0, 5, seed=1, name="n"))
    eq(returned, "n/Mul", "uniform from 0 returns its Mul")
    added, returned = added_by(lambda i: tf.concat([i.x], 0, name="n"))
    eq(added, ["n/concat_dim", "n/n"], "concat of one value")
    eq(returned, "n/n", "concat of one value returns its Identity")
    added, _ = added_by(lambda i: tf.zeros([2, 3], tf.float32, name="n"))
    eq(added, ["n"], "zeros of a small shape is one Const")
    added, returned = added_by(lambda i: tf.nn.softmax(i.x, axis=0, name="n"))
    eq([added[-1], returned], ["n", "n"], "softmax over another axis: the last transpose takes the name")
    expect({"transpose", "Softmax"} <= set(added), f"softmax's first transpose and Softmax keep their names: {added}")


@check("graph-element-errors", "GraphTest.opsAndTensorsAreFoundByName",
       "Quiver raises NotFoundException for TF's KeyError/ValueError")
def graph_element_errors():
    g = tf.Graph()
    with g.as_default():
        tf.constant([1.0, 2.0], name="c")
    raises(KeyError, "The operation, 'd', does not exist in the graph.", lambda: g.as_graph_element("d:0"))
    raises(KeyError, "exists but only has 1 outputs", lambda: g.as_graph_element("c:1"))
    raises(KeyError, "The name 'd' refers to an Operation not in the graph.", lambda: g.get_operation_by_name("d"))


# ---------------------------------------------------------------------------------------------------------------
# Config and tracing

@check("log-device-placement", "SessionConfigTest.logDevicePlacementLogsEachOpsDeviceOnce, "
       "TensorFlowUsersDocTest.withSessionIsASessionAndItsDefaultScope",
       "Quiver logs (SLF4J, INFO) each op the first time a step of the session needs it; TF places and prints "
       "every op of the graph at the session's first run")
def log_device_placement():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(3.0, name="c")
        y = tf.identity(c * 2.0, name="y")
    with tempfile.TemporaryFile(mode="w+") as out:
        sys.stdout.flush()
        saved = os.dup(1)
        os.dup2(out.fileno(), 1)
        try:
            with session(g, allow_soft_placement=True, log_device_placement=True) as s:
                s.run(y)
                s.run(y)
                s.run(c)
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
        out.seek(0)
        lines = sorted(ln.strip() for ln in out if ln.strip())
    eq(lines, sorted(f"{n}: ({t}): {CPU}" for n, t in
                     [("c", "Const"), ("y", "Identity"), ("mul", "Mul"), ("mul/y", "Const")]),
       "one line per op, once")


@check("run-metadata", "RunMetadataTest.aTracedStepRecordsEveryOpThatRan, "
       "RunMetadataTest.withoutATraceLevelNothingIsRecorded",
       "TF's step stats name the nodes of the graph its optimizer rewrote (_arg_a_0_0, _retval_m_0_0, a folded or "
       "renamed mul); Quiver's name the graph's own ops")
def run_metadata():
    g = tf.Graph()
    with g.as_default():
        a = tf1.placeholder(tf.float32, [3], name="a")
        m = tf.identity(a * a, name="m")
    with session(g) as s:
        md = tf1.RunMetadata()
        s.run(m, {a: [1.0, 2.0, 3.0]}, options=tf1.RunOptions(trace_level=tf1.RunOptions.FULL_TRACE), run_metadata=md)
        names = {n.node_name for d in md.step_stats.dev_stats for n in d.node_stats}
        expect("m" in names, f"the traced step's node stats name the ops that ran: {sorted(names)}")
        md = tf1.RunMetadata()
        s.run(m, {a: [1.0, 2.0, 3.0]}, options=tf1.RunOptions(), run_metadata=md)
        eq(len(md.step_stats.dev_stats), 0, "no trace level, no step stats")


# ---------------------------------------------------------------------------------------------------------------

def main(argv):
    if argv[:1] == ["--list"]:
        for name, (_, covers, difference) in CHECKS.items():
            print(f"{name}\n    covers: {covers}" + (f"\n    difference: {difference}" if difference else ""))
        return 0
    unknown = [n for n in argv if n not in CHECKS]
    if unknown:
        print(f"no such check: {', '.join(unknown)}; --list names them", file=sys.stderr)
        return 2
    failed = 0
    start = time.time()
    for name in argv or list(CHECKS):
        fn = CHECKS[name][0]
        try:
            fn()
            print(f"PASS {name}")
        except CheckFailed as e:
            failed += 1
            print(f"FAIL {name}: {e}")
        except Exception:  # noqa: BLE001 - a check that breaks is a failure too
            failed += 1
            print(f"FAIL {name}: unexpected error\n{traceback.format_exc()}")
    print(f"{len(argv or CHECKS)} checks against TensorFlow {tf.__version__} in {time.time() - start:.0f}s: "
          f"{failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
