import Foundation
import Analysis
import Corpus
import EmbeddingEngine
import Evaluation
import Session

/// Where typing goes: the view's text field, or the view's list (letter keys are commands).
public enum Focus: Equatable, Sendable { case field, list }

/// Something drawn over the current view that takes the keys first.
public enum Overlay: Equatable, Sendable {
    case help(scroll: Int)
    case taskPicker(selected: Int)
    /// The full text of a document, scrolled by lines.
    case detail(document: Int, scroll: Int)
}

public struct SearchState: Equatable, Sendable {
    public var query = TextField()
    public var hits: [DocumentHit] = []
    /// The query the hits answer (may lag `query` while typing).
    public var answeredQuery = ""
    /// The query of the pending request.
    public var debounceQuery = ""
    public var list = ListState()
    public var debounceToken = 0
    public var k = 50
}

public struct MatrixState: Equatable, Sendable {
    public var input = TextField()
    public var texts: [String] = []
    public var matrix: [[Float]] = []
    public var row = 0
    public var column = 0
}

public struct NeighboursState: Equatable, Sendable {
    /// The document whose neighbours are shown; previous foci for Backspace.
    public var focus = 0
    public var trail: [Int] = []
    public var hits: [DocumentHit] = []
    public var list = ListState()
    public var k = 15
}

public struct ClustersState: Equatable, Sendable {
    /// nil = automatic (silhouette).
    public var k: Int? = nil
    public var clustering: Clustering?
    public var list = ListState()
}

/// Keep / drop marks of the Duplicates view.
public enum Mark: Equatable, Sendable { case keep, drop }

public struct DuplicatesState: Equatable, Sendable {
    public var threshold: Float = 0.90
    public var groups: [DuplicateGroup] = []
    /// Each member's similarity to the first member of its group.
    public var similarity: [Int: Float] = [:]
    /// Cursor over the flattened member rows of all groups (`list.selected` counts members, not group headers).
    public var list = ListState()
    public var marks: [Int: Mark] = [:]
    public var lastWritten: String?
}

public struct MapState: Equatable, Sendable {
    public var points: [SIMD2<Float>] = []
    public var clusters: [Int] = []
    /// Cursor in cells of the map area (column, row).
    public var cursorX = 0
    public var cursorY = 0
}

public struct AdaptersState: Equatable, Sendable {
    /// Two tasks at one dimension, one task at two dimensions, or the evaluation grid (with --eval).
    public enum Mode: Equatable, Sendable { case tasks, dimensions, evaluation }
    public var mode: Mode = .tasks
    public var taskA: String?
    public var taskB: String?
    public var comparison: Comparison?
    /// The texts the comparison is about (scratch list, or a sample of the corpus).
    public var texts: [String] = []
    public var selected = 0
}

/// A labelled data set the explorer evaluates the model on (`--eval`, or a BEIR folder as the corpus).
public struct EvaluationState: Equatable, Sendable {
    /// "faq — retrieval: 250 documents, 71 queries".
    public var name: String
    /// Query text → document → grade, when the corpus is the data set's own (Search marks them).
    public var relevance: [String: [Int: Int]]
    /// The grid, once computed (every task × dimension × storage).
    public var report: EvalReport?
    /// Index into `report.metrics` of the metric shown.
    public var metric = 0
    public var storage: EvalStorage = .float32
    public init(name: String, relevance: [String: [Int: Int]] = [:]) { self.name = name; self.relevance = relevance }

    public var metricName: String? { report.flatMap { $0.metrics.indices.contains(metric) ? $0.metrics[metric] : nil } }
}

/// The whole explorer, as a value. `update` is the only thing that changes it.
public struct AppState: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var model: ModelSummary?
    public var corpusName = ""
    public var documents: [Document] = []
    public var task: String?
    public var dim = 0
    /// The corpus vectors match `task` (false while (re)indexing).
    public var indexReady = false
    public var indexedChunks = 0
    /// Chunks already searchable while the index under `task` is still being built (0: none yet).
    public var partialChunks = 0
    /// Why the corpus could not be indexed under `task` (nil = fine or still working).
    public var indexError: String?
    /// Bumped whenever results computed earlier go stale (new index, new dimension).
    public var generation = 0
    public var progress = EncoderProgress()
    /// The remote endpoints and their states (empty when the model runs here).
    public var endpoints: [EndpointStatus] = []
    public var lastLatencyMs: Double?
    /// A one-line message for the status bar (errors, "wrote …").
    public var status: String?
    public var statusIsError = false
    public var view: ViewID = .search
    public var focus: Focus = .field
    public var overlay: Overlay?
    public var nextRequestID = 1
    public var quitting = false

    /// The one request each view may be waiting for, and the generation its data was computed for.
    public var requests = RequestTable()

    public var search = SearchState()
    public var matrix = MatrixState()
    public var neighbours = NeighboursState()
    public var clusters = ClustersState()
    public var duplicates = DuplicatesState()
    public var map = MapState()
    public var adapters = AdaptersState()
    public var evaluation: EvaluationState?

    public init(width: Int = 80, height: Int = 24) { self.width = width; self.height = height }

    /// The smallest screen the layout supports.
    public static let minimumWidth = 80
    public static let minimumHeight = 24
    public var tooSmall: Bool { width < Self.minimumWidth || height < Self.minimumHeight }

    /// Views with a text field.
    public func hasField(_ v: ViewID) -> Bool { v == .search || v == .matrix }
    /// Typing goes into a field (so letters and digits are text, not commands).
    public var textFieldFocused: Bool { overlay == nil && hasField(view) && focus == .field }

    public var dimensionLadder: [Int] { model.map(TaskCatalog.dimensionLadder) ?? [] }
    /// Tasks offered by the picker: the adapters, then "none".
    public var taskChoices: [String?] { (model?.tasks ?? []).map { Optional($0) } + [nil] }

    mutating func newRequestID() -> Int { defer { nextRequestID += 1 }; return nextRequestID }
}
