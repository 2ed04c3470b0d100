import Foundation
import NIOCore

/// Cancels a request's work when its client goes away, so an abandoned 2,000-text request stops using
/// the encoder. Hummingbird keeps a connection open after the client half-closes (and does not cancel
/// the handler), so a small handler in each connection's pipeline watches for the end of input or the
/// connection closing and cancels whatever the current request registered.
///
/// A client that half-closes its side while still waiting for the answer is treated as gone (HTTP
/// clients do not do that).
final class DisconnectHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private let watch = ConnectionWatch()

    func handlerAdded(context: ChannelHandlerContext) {
        ConnectionWatch.register(watch, for: context.channel)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        watch.clientLeft()
        ConnectionWatch.unregister(context.channel)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { watch.clientLeft() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        watch.clientLeft()
        context.fireChannelInactive()
    }
}

/// One connection's "the client left" signal and the cancel action of the request running on it
/// (HTTP/1.1 runs one request at a time per connection).
final class ConnectionWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var gone = false
    private var onLeave: (@Sendable () -> Void)?

    private nonisolated(unsafe) static var watches: [ObjectIdentifier: ConnectionWatch] = [:]
    private static let registryLock = NSLock()

    static func register(_ watch: ConnectionWatch, for channel: any Channel) {
        registryLock.withLock { watches[ObjectIdentifier(channel)] = watch }
    }

    static func unregister(_ channel: any Channel) {
        _ = registryLock.withLock { watches.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    static func watch(for channel: any Channel) -> ConnectionWatch? {
        registryLock.withLock { watches[ObjectIdentifier(channel)] }
    }

    func clientLeft() {
        let action = lock.withLock { () -> (@Sendable () -> Void)? in
            gone = true
            defer { onLeave = nil }
            return onLeave
        }
        action?()
    }

    /// Runs `body` in a child task that is cancelled when the client leaves (or the caller is cancelled).
    func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        let leftAlready = lock.withLock { () -> Bool in
            if !gone { onLeave = { task.cancel() } }
            return gone
        }
        if leftAlready { task.cancel() }
        defer { lock.withLock { onLeave = nil } }
        return try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
    }
}

/// Runs `body`, cancelled when the client on `channel` leaves; plainly when there is no channel to watch.
func cancellingOnDisconnect<T: Sendable>(_ channel: (any Channel)?,
                                         _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    guard let channel, let watch = ConnectionWatch.watch(for: channel) else { return try await body() }
    return try await watch.run(body)
}
