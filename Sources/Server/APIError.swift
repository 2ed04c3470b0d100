import Foundation
import Hummingbird

/// An error answer in the OpenAI shape, `{"error": {"message", "type", "param", "code"}}`, which the
/// OpenAI and Jina clients both understand. Messages say what was wrong and what to send instead; they
/// never carry a stack trace, a file path or the API key.
public struct APIError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var type: String
    public var code: String
    public var message: String
    /// The request field at fault, when there is one.
    public var param: String?
    /// Seconds for a Retry-After header (429, 503).
    public var retryAfter: Int?

    public init(_ status: HTTPResponse.Status, type: String = "invalid_request_error", code: String, _ message: String,
                param: String? = nil, retryAfter: Int? = nil) {
        self.status = status; self.type = type; self.code = code; self.message = message
        self.param = param; self.retryAfter = retryAfter
    }

    // 400
    static func invalidJSON(_ detail: String) -> APIError {
        APIError(.badRequest, code: "invalid_json", "the request body is not valid JSON (\(detail))")
    }
    static let invalidUTF8 = APIError(.badRequest, code: "invalid_utf8", "the request body is not valid UTF-8")
    // 401
    static let unauthorized = APIError(.unauthorized, type: "authentication_error", code: "invalid_api_key",
                                       "missing or wrong API key: send the header 'Authorization: Bearer <key>'")
    // 404, 405
    static func notFound(_ path: String) -> APIError {
        APIError(.notFound, code: "not_found", "no route \(path); see GET /openapi.yaml for the routes")
    }
    static func methodNotAllowed(_ method: String, _ path: String, allowed: [String]) -> APIError {
        APIError(.methodNotAllowed, code: "method_not_allowed",
                 "\(path) does not accept \(method); use \(allowed.joined(separator: " or "))")
    }
    // 408
    static func bodyTimeout(_ seconds: Double) -> APIError {
        APIError(.requestTimeout, code: "request_timeout", "the request body did not arrive within \(Int(seconds)) s")
    }
    // 413
    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, code: "body_too_large",
                 "the request body is larger than \(limit) bytes; send fewer or shorter inputs per request")
    }
    static func tooManyInputs(_ count: Int, limit: Int, param: String) -> APIError {
        APIError(.contentTooLarge, code: "too_many_inputs",
                 "\(count) inputs; at most \(limit) per request: split them into several requests", param: param)
    }
    static func tooManyTokens(_ count: Int, limit: Int, param: String) -> APIError {
        APIError(.contentTooLarge, code: "too_many_tokens",
                 "the inputs have \(count) tokens together; at most \(limit) per request: split them", param: param)
    }
    // 422
    static func invalid(_ param: String, _ message: String, code: String = "invalid_value") -> APIError {
        APIError(.unprocessableContent, code: code, message, param: param)
    }
    // 429
    static func queueFull(retryAfter: Int) -> APIError {
        APIError(.tooManyRequests, type: "rate_limit_error", code: "queue_full",
                 "the encoder queue is full; retry in \(retryAfter) s", retryAfter: retryAfter)
    }
    // 500, 503
    static let internalError = APIError(.internalServerError, type: "server_error", code: "internal_error",
                                        "the server failed to answer this request; its log has the details")
    static let shuttingDown = APIError(.serviceUnavailable, type: "server_error", code: "shutting_down",
                                       "the server is shutting down; retry against a running one", retryAfter: 1)

    /// The JSON body.
    public var body: String {
        var w = JSONWriter()
        w.raw("{\"error\":{\"message\":")
        w.string(message)
        w.raw(",\"type\":")
        w.string(type)
        w.raw(",\"param\":")
        if let param { w.string(param) } else { w.raw("null") }
        w.raw(",\"code\":")
        w.string(code)
        w.raw("}}")
        return w.text
    }
}
