package dev.quiver.flight;

import io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.InternalProtocolNegotiators;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.AsciiString;

/**
 * gRPC's plaintext server negotiation, with each connection's HTTP/2 decoder set to compose received buffers
 * instead of merging them.
 *
 * <p>Why: Netty's default cumulator copies a read into a new buffer whenever the previous read ended inside a
 * frame and gRPC still holds slices of it, which during an upload is nearly every read: every received byte
 * was copied once more, through buffers allocated and freed per read. Composing keeps the buffers the socket
 * was read into, which gRPC then hands to the upload's parser.
 */
final class ComposingNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {
  private final InternalProtocolNegotiator.ProtocolNegotiator plaintext = InternalProtocolNegotiators.serverPlaintext();

  @Override
  public AsciiString scheme() {
    return plaintext.scheme();
  }

  @Override
  public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
    grpcHandler.setCumulator(ByteToMessageDecoder.COMPOSITE_CUMULATOR);
    return plaintext.newHandler(grpcHandler);
  }

  @Override
  public void close() {
    plaintext.close();
  }
}
