import Foundation
import Analysis
import Corpus
import EmbeddingEngine
import Session

/// The seven views, in tab order (the raw value is the tab number and the F-key).
public enum ViewID: Int, CaseIterable, Sendable {
    case search = 1, matrix, neighbours, clusters, duplicates, map, adapters
    public var title: String {
        switch self {
        case .search: return "Search"
        case .matrix: return "Matrix"
        case .neighbours: return "Neighbours"
        case .clusters: return "Clusters"
        case .duplicates: return "Duplicates"
        case .map: return "Map"
        case .adapters: return "Adapters"
        }
    }
}

/// A key press, already decoded from the terminal's codes.
public enum Key: Hashable, Sendable {
    case char(Character)
    case ctrl(Character)          // lower-case letter: .ctrl("c")
    case enter, esc, tab, backTab, backspace, delete
    case up, down, left, right, home, end, pageUp, pageDown
    case f(Int)
}

public struct MouseEvent: Equatable, Sendable {
    public enum Kind: Equatable, Sendable { case press, scrollUp, scrollDown }
    public var x: Int
    public var y: Int
    public var kind: Kind
    public init(x: Int, y: Int, kind: Kind = .press) { self.x = x; self.y = y; self.kind = kind }
}

/// What the explorer needs to know about the model (built from EncoderService's ModelInfo).
public struct ModelSummary: Equatable, Sendable {
    public var name: String
    public var tasks: [String]
    public var dimensions: [Int]
    public var hiddenSize: Int
    public var defaultTask: String?
    public var instructions: [String: String]
    /// A precision other than exact (`--precision bf16|int8`), shown in the header; nil when exact.
    public var precision: String?
    public init(name: String, tasks: [String], dimensions: [Int], hiddenSize: Int, defaultTask: String?,
                instructions: [String: String] = [:], precision: String? = nil) {
        self.name = name; self.tasks = tasks; self.dimensions = dimensions; self.hiddenSize = hiddenSize
        self.defaultTask = defaultTask; self.instructions = instructions; self.precision = precision
    }
    public init(_ info: ModelInfo) {
        self.init(name: info.name, tasks: info.tasks, dimensions: info.dimensions, hiddenSize: info.hiddenSize,
                  defaultTask: info.defaultTask, instructions: info.instructions)
    }
    public var hasAdapters: Bool { !tasks.isEmpty }
}

/// Everything that can happen to the explorer: input, time, and results of effects.
public enum Message: Sendable {
    case key(Key)
    case mouse(MouseEvent)
    case resize(width: Int, height: Int)
    /// The model is ready; `task` / `dim` are the validated starting lens (nil dim = full size).
    case modelLoaded(ModelSummary, task: String?, dim: Int?)
    case corpusLoaded(name: String, documents: [Document])
    case progress(EncoderProgress)
    /// The remote endpoints doing the encoding (`--endpoint`): state and speed of each.
    case endpoints([EndpointStatus])
    /// Part of the corpus (`chunks` of its chunks) is embedded under `task` and searchable while the
    /// rest is still being indexed.
    case indexPartial(task: String?, chunks: Int)
    /// The corpus is embedded under `task` (cache hits + new work).
    case indexed(task: String?, chunks: Int, embedded: Int, cached: Int)
    /// Embedding the corpus under `task` failed (the message says why).
    case indexFailed(task: String?, message: String)
    case debounceElapsed(token: Int)
    /// The answer to request `id`; `latencyMs`: how long the encoder took for it (nil: it did not run).
    case result(id: Int, Answer, latencyMs: Double?)
    /// An effect failed; `id` names the request when it was one.
    case failed(id: Int?, message: String)
    case dropListWritten(path: String, count: Int)
    /// An evaluation data set is loaded: its name, its queries (the search field's history, so ↑ walks
    /// them) and, when the corpus is its own, the graded relevant documents per query text.
    case evaluationLoaded(name: String, queries: [String], relevance: [String: [Int: Int]])
}

/// A side effect for the runtime to perform. `update` stays pure by returning these.
public enum Effect: Equatable, Sendable {
    /// Answer `question` about the corpus at (task, dim), then send `.result(id:…)` or `.failed(id:…)`.
    case analyse(id: Int, Question, task: String?, dim: Int)
    /// The request is stale: stop it if possible; its result is ignored anyway.
    case cancel(id: Int)
    /// Send `.debounceElapsed(token)` after `seconds`.
    case debounce(token: Int, seconds: Double)
    /// Embed the corpus under another task (through the cache), then send `.indexed`.
    case reindex(task: String?)
    /// Write these document indices (one per line) to a file, then send `.dropListWritten`.
    case writeDropList(documents: [Int])
    case quit
}
