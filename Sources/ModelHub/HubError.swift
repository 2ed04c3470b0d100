import Foundation

/// Everything `loupe fetch` can run into, each with what to do next. No case holds the token.
public enum HubError: Error, CustomStringConvertible, Equatable {
    case invalidRepository(String)
    /// 401/403: a private, gated or missing repository. `token` says which token was sent, if any.
    case unauthorized(repo: String, status: Int, gated: Bool, token: String?, endpoint: String)
    case repositoryNotFound(repo: String, endpoint: String)
    case revisionNotFound(repo: String, revision: String)
    case fileNotFound(repo: String, revision: String, path: String)
    /// The repository has no files loupe can run (default selection only).
    case notAModel(repo: String, missing: [String])
    /// Connection errors, timeouts and 5xx/429 answers that outlasted every retry.
    case network(host: String, detail: String, attempts: Int)
    case unexpectedStatus(host: String, status: Int, detail: String)
    case badResponse(host: String, detail: String)
    case hashMismatch(path: String, algorithm: String, expected: String, actual: String)
    case sizeMismatch(path: String, expected: Int64, actual: Int64)
    case diskFull(directory: String, needed: Int64, available: Int64)
    case fileSystem(path: String, detail: String)
    case busy(lock: String)

    public var description: String {
        switch self {
        case .invalidRepository(let r):
            return "'\(r)' is not a model id: expected ORG/NAME, e.g. jinaai/jina-embeddings-v3"
        case let .unauthorized(repo, status, gated, token, endpoint):
            let page = "\(endpoint)/\(repo)"
            if let token {
                return gated
                    ? "\(repo) is gated and the token from \(token) has no access (\(status)): accept the model's terms at \(page) with that account, then run again"
                    : "the Hub refused the token from \(token) for \(repo) (\(status)): check that it is valid and can read this repository, or check the name"
            }
            return gated
                ? "\(repo) is gated (\(status)): accept its terms at \(page), then set HF_TOKEN to a token of that account (or log in with `hf auth login`)"
                : "\(repo) was not found or is private or gated (\(status)): check the name; if it is private or gated, set HF_TOKEN to a token that can read it"
        case let .repositoryNotFound(repo, endpoint):
            return "no repository \(repo) on \(endpoint): check the name (ORG/NAME, as in the model page's address)"
        case let .revisionNotFound(repo, revision):
            return "\(repo) has no revision '\(revision)': pass a branch, tag or commit that exists (--revision), or leave it out for main"
        case let .fileNotFound(repo, revision, path):
            return "\(repo) at \(revision) has no file \(path) although the Hub listed it: run again"
        case let .notAModel(repo, missing):
            return "\(repo) has no \(missing.joined(separator: ", ")): loupe needs config.json, model.safetensors and "
                + "tokenizer.json (safetensors weights only); --all downloads every file anyway"
        case let .network(host, detail, attempts):
            return "could not reach \(host) after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(detail). "
                + "Check the connection (and HF_ENDPOINT); run again to resume where it stopped"
        case let .unexpectedStatus(host, status, detail):
            return "\(host) answered \(status)\(detail.isEmpty ? "" : ": \(detail)")"
        case let .badResponse(host, detail):
            return "\(host) sent an answer that does not look like the Hugging Face Hub's: \(detail) (check HF_ENDPOINT)"
        case let .hashMismatch(path, algorithm, expected, actual):
            return "\(path): the downloaded bytes have \(algorithm) \(actual) but the Hub says \(expected); "
                + "the download was discarded and nothing was linked. Run again; if it repeats, the server "
                + "(or a proxy in between) is sending damaged data"
        case let .sizeMismatch(path, expected, actual):
            return "\(path): received \(actual) bytes, the Hub says \(expected); the download was discarded. Run again"
        case let .diskFull(directory, needed, available):
            return "not enough disk space in \(directory): \(formatBytes(needed)) needed, \(formatBytes(available)) free. "
                + "Free some space or point HF_HUB_CACHE (or HF_HOME) at a larger disk"
        case let .fileSystem(path, detail):
            return "\(path): \(detail)"
        case let .busy(lock):
            return "another process is downloading the same file (it holds \(lock)): wait for it to finish, then run again"
        }
    }
}

/// `1.1 GB`, `620.3 MB`, `12 kB`, `512 B` (decimal units, as the Hub's pages show sizes).
public func formatBytes(_ n: Int64) -> String {
    let units: [(Double, String)] = [(1e9, "GB"), (1e6, "MB"), (1e3, "kB")]
    for (scale, unit) in units where Double(n) >= scale {
        return String(format: Double(n) >= scale * 100 ? "%.0f" : "%.1f", Double(n) / scale) + " " + unit
    }
    return "\(n) B"
}
