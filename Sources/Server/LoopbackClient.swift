import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 keep-alive client on SwiftNIO, one request at a time per connection: what the
/// serve benchmark's simulated clients and the server tests talk through (cheap enough to leave the
/// CPU to the server being measured).
public final class LoopbackClient: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]
        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public struct ConnectionClosed: Error {}

    private let channel: any Channel
    private let collector: ResponseCollector
    public let host: String

    private init(channel: any Channel, collector: ResponseCollector, host: String) {
        self.channel = channel; self.collector = collector; self.host = host
    }

    public static func connect(host: String = "127.0.0.1", port: Int) async throws -> LoopbackClient {
        let collector = ResponseCollector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
            .connect(host: host, port: port).get()
        return LoopbackClient(channel: channel, collector: collector, host: host)
    }

    /// Sends one request and waits for the whole response.
    public func send(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> Response {
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: path)
        head.headers.add(name: "Host", value: host)
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        if let body { head.headers.replaceOrAdd(name: "Content-Length", value: String(body.count)) }
        let request = head
        let promise = channel.eventLoop.makePromise(of: Response.self)
        let collector = self.collector, channel = self.channel
        channel.eventLoop.execute {
            collector.expect(promise)
            channel.write(HTTPClientRequestPart.head(request), promise: nil)
            if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil) }
            channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { promise.fail($0) }
        }
        return try await promise.futureResult.get()
    }

    /// JSON POST.
    public func post(_ path: String, json: String, headers: [(String, String)] = []) async throws -> Response {
        try await send("POST", path, headers: [("Content-Type", "application/json")] + headers, body: Array(json.utf8))
    }

    public func close() async {
        try? await channel.close().get()
    }
}

/// Collects the parts of one response at a time; touched only on the channel's event loop.
private final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    private var promise: EventLoopPromise<LoopbackClient.Response>?
    private var response = LoopbackClient.Response(status: 0, headers: [], body: [])

    func expect(_ promise: EventLoopPromise<LoopbackClient.Response>) {
        self.promise = promise
        response = .init(status: 0, headers: [], body: [])
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            response.status = Int(head.status.code)
            response.headers = head.headers.map { ($0.name, $0.value) }
        case .body(var buffer):
            response.body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            promise?.succeed(response)
            promise = nil
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise?.fail(error)
        promise = nil
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise?.fail(LoopbackClient.ConnectionClosed())
        promise = nil
        context.fireChannelInactive()
    }
}
