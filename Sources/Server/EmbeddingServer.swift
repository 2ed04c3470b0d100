import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// `loupe serve`: Hummingbird 2 on one host and port, the routes of `Routes`, one log line per request.
///
/// Shutdown (SIGTERM / SIGINT, or `shutdown()`): the listener closes, requests that arrive meanwhile
/// get 503, requests in flight finish — for at most `shutdownGrace` seconds, after which they are
/// cancelled — and `run` returns.
public final class EmbeddingServer: Sendable {
    let state: ServerState
    private let group = LockedBox<ServiceGroup?>(nil)

    /// `log` receives the per-request lines and server notes (stderr in `loupe serve`).
    public init(provider: any EmbeddingProvider, configuration: ServerConfiguration,
                log: @escaping @Sendable (String) -> Void) {
        state = ServerState(provider: provider, configuration: configuration, log: log)
    }

    /// Serves until shut down. `onListening(port)` is called once the socket is bound (the real port
    /// when the configuration asked for 0). `signals`: the signals that start a graceful shutdown.
    public func run(signals: [UnixSignal] = [.sigterm, .sigint], onListening: @escaping @Sendable (Int) -> Void) async throws {
        let configuration = state.configuration
        var logger = Logger(label: "loupe.serve")
        logger.logLevel = .critical  // the server's own log is `log`; Hummingbird's info lines would go to stdout
        let router = Router(context: ServerContext.self)
        router.add(middleware: FrontMiddleware(state: state))
        Routes(state: state).register(on: router)
        let idle = TimeAmount.nanoseconds(Int64(configuration.idleTimeout * 1e9))
        let app = Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [DisconnectHandler()], idleTimeout: idle)),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "loupe"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
        var groupConfiguration = ServiceGroupConfiguration(
            services: [
                .init(service: app),
                // Shut down first (services stop in reverse order): from then on new requests get 503.
                .init(service: DrainOnShutdown(state: state), successTerminationBehavior: .ignore),
            ],
            gracefulShutdownSignals: signals, cancellationSignals: [], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .nanoseconds(Int64(configuration.shutdownGrace * 1e9))
        let serviceGroup = ServiceGroup(configuration: groupConfiguration)
        group.set(serviceGroup)
        try await serviceGroup.run()
    }

    /// Starts the graceful shutdown (as SIGTERM does).
    public func shutdown() async {
        await group.get()?.triggerGracefulShutdown()
    }
}

/// Waits for the graceful shutdown to begin and marks the server as draining.
private struct DrainOnShutdown: Service {
    let state: ServerState
    func run() async throws {
        // Cancelled (not shut down) when another service failed, e.g. the port was taken: nothing to drain.
        do { try await gracefulShutdown() } catch { return }
        state.startDraining()
        state.log("shutting down: finishing the requests in flight")
    }
}

final class LockedBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func get() -> T { lock.withLock { value } }
    func set(_ newValue: T) { lock.withLock { value = newValue } }
    func update<R>(_ body: (inout T) -> R) -> R { lock.withLock { body(&value) } }
}
