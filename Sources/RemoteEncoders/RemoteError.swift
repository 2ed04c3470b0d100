import Foundation

/// Why remote encoding could not go on. Messages name the endpoint and say what to do; they never
/// contain a key.
public enum RemoteError: Error, CustomStringConvertible, Equatable {
    /// Bad options, or endpoints that cannot work together.
    case configuration(String)
    /// No endpoint is left to take work; each endpoint's last error.
    case allEndpointsFailed([EndpointError])
    /// The endpoints refuse an input (every endpoint would: it is the input, not the endpoint).
    case refused(endpoint: String, String)
    /// Something only the model running here can do.
    case needsLocalModel(String)

    public struct EndpointError: Sendable, Equatable {
        public var endpoint: String
        public var error: String
    }

    public var description: String {
        switch self {
        case .configuration(let m): return m
        case .allEndpointsFailed(let errors):
            let each = errors.map { "\($0.endpoint): \($0.error)" }.joined(separator: "; ")
            return "every endpoint failed (\(each)). Everything embedded so far is in the cache: "
                + "run the same command again to continue where it stopped"
        case .refused(let endpoint, let m): return "\(endpoint) refused an input: \(m)"
        case .needsLocalModel(let what):
            return "\(what) needs the model's weights here: give --model DIR without --endpoint"
        }
    }
}

/// What went wrong with one request to one endpoint.
enum EndpointFailure: Error, CustomStringConvertible {
    /// Connection refused, reset or closed, name not found.
    case unreachable(String)
    case timedOut(Double)
    /// An error status, the server's message (key masked) and its Retry-After in seconds.
    case status(Int, String, retryAfter: Double?)
    /// An answer that is not what was asked for: wrong count or size, not JSON, not finite.
    case malformed(String)

    var description: String {
        switch self {
        case .unreachable(let m): return m
        case .timedOut(let s): return String(format: "no answer within %.0f s", s)
        case .status(let code, let m, _): return m.isEmpty ? "HTTP \(code)" : "HTTP \(code): \(m)"
        case .malformed(let m): return "bad answer: \(m)"
        }
    }

    /// Worth trying again on this endpoint after a pause.
    var isTransient: Bool {
        switch self {
        case .unreachable, .timedOut, .malformed: return true
        case .status(let code, _, _): return code == 408 || code == 429 || code >= 500 || code == 404
        }
    }

    /// The key was refused: the endpoint gets no more work this session.
    var isAuthorization: Bool {
        if case .status(let code, _, _) = self { return code == 401 || code == 403 }
        return false
    }

    /// The request itself was refused (too large, invalid input): split it, or give up on the input.
    var isRefusal: Bool {
        if case .status(let code, _, _) = self { return code == 400 || code == 413 || code == 422 }
        return false
    }

    var retryAfter: Double? {
        if case .status(_, _, let after) = self { return after }
        return nil
    }
}
