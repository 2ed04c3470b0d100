import Foundation
import Hummingbird
import NIOCore

/// The request context: Hummingbird's core storage, the connection (to notice a client leaving) and
/// what the handler reports for the log line.
struct ServerContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: (any Channel)?
    let stats = RequestStats()

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Items and tokens of a request, filled in by its handler.
final class RequestStats: @unchecked Sendable {
    private let lock = NSLock()
    private var _items = 0, _tokens = 0
    var items: Int {
        get { lock.withLock { _items } }
        set { lock.withLock { _items = newValue } }
    }
    var tokens: Int {
        get { lock.withLock { _tokens } }
        set { lock.withLock { _tokens = newValue } }
    }
}

/// Wraps every route: refuses work while shutting down (503) and without the API key (401), turns
/// every error into a JSON answer (never a stack trace), then writes one log line and the metrics.
struct FrontMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let state: ServerState

    func handle(_ request: Request, context: ServerContext,
                next: (Request, ServerContext) async throws -> Response) async throws -> Response {
        let started = ProcessInfo.processInfo.systemUptime
        let path = request.uri.path
        let route = Routes.table.contains { $0.path == path } ? path : "other"
        var response: Response
        var status: Int
        do {
            if state.isDraining { throw APIError.shuttingDown }
            if let key = state.configuration.apiKey, path != "/health", !Self.authorized(request, key: key) {
                throw APIError.unauthorized
            }
            response = try await next(request, context)
            status = Int(response.status.code)
        } catch let error as APIError {
            response = error.response
            status = Int(error.status.code)
        } catch is CancellationError {
            // The client left (or the server is stopping hard): nobody reads an answer. 499 as nginx logs it.
            response = Response(status: .init(code: 499, reasonPhrase: "Client Closed Request"))
            status = 499
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = Routes.table.filter { $0.path == path }.map(\.method.rawValue)
            let answer = allowed.isEmpty ? APIError.notFound(path)
                : APIError.methodNotAllowed(request.method.rawValue, path, allowed: allowed)
            response = answer.response
            status = Int(answer.status.code)
        } catch {
            state.log("\(request.method.rawValue) \(path): \(error)")
            response = APIError.internalError.response
            status = 500
        }
        let seconds = ProcessInfo.processInfo.systemUptime - started
        state.metrics.request(route: route, method: request.method.rawValue, status: status, seconds: seconds)
        state.log("\(request.method.rawValue) \(path) \(status) items=\(context.stats.items) tokens=\(context.stats.tokens) "
                  + String(format: "%.1fms", seconds * 1000))
        return response
    }

    /// `Authorization: Bearer <key>`, compared in time independent of where the keys differ.
    static func authorized(_ request: Request, key: String) -> Bool {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return false }
        return constantTimeEqual(Array(header.utf8.dropFirst(7)), Array(key.utf8))
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) {
            diff |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return diff == 0
    }
}

extension APIError {
    var response: Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
