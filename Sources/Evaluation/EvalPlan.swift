import Foundation

/// Which side of a data set a text is on: a query (retrieval queries, the first sentence of a
/// pair) or a document (the corpus, the second sentence, labelled texts).
public enum EvalRole: String, Sendable {
    case query, document
}

/// A row of the grid: the task adapter each side is embedded with.
///
/// `retrieval` is the asymmetric pair the jina report prescribes (queries with `retrieval.query`,
/// documents with `retrieval.passage`, each with its instruction prefix); every other task embeds
/// both sides alike; `none` uses the base weights without a prefix.
public struct EvalTask: Sendable, Hashable {
    public var name: String
    public var queryTask: String?
    public var documentTask: String?
    public init(name: String, queryTask: String?, documentTask: String?) {
        self.name = name; self.queryTask = queryTask; self.documentTask = documentTask
    }

    public static let none = EvalTask(name: "none", queryTask: nil, documentTask: nil)
    static let retrieval = EvalTask(name: "retrieval", queryTask: "retrieval.query", documentTask: "retrieval.passage")

    /// Every task of a model, then none: `retrieval` when the model has both retrieval adapters,
    /// each other adapter on its own, `none`. A model without adapters: just `none`.
    public static func all(modelTasks: [String]) -> [EvalTask] {
        var rows = [EvalTask]()
        if modelTasks.contains("retrieval.query") && modelTasks.contains("retrieval.passage") { rows.append(.retrieval) }
        for t in modelTasks where !(rows.first == .retrieval && t.hasPrefix("retrieval.")) {
            rows.append(EvalTask(name: t, queryTask: t, documentTask: t))
        }
        return rows + [.none]
    }

    /// `all`, or a comma-separated list of row names (`retrieval`, a task of the model, `none`).
    public static func parse(_ list: String, modelTasks: [String]) throws -> [EvalTask] {
        let available = all(modelTasks: modelTasks)
        if list.trimmingCharacters(in: .whitespaces) == "all" { return available }
        var rows = [EvalTask]()
        for name in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            let row: EvalTask?
            if name == "none" { row = EvalTask.none }
            else if name == "retrieval" { row = available.contains(.retrieval) ? .retrieval : nil }
            else { row = modelTasks.contains(name) ? EvalTask(name: name, queryTask: name, documentTask: name) : nil }
            guard let row else { throw EvalError.unknownTask(name, valid: available.map(\.name)) }
            if !rows.contains(row) { rows.append(row) }
        }
        guard !rows.isEmpty else { throw EvalError.emptyList("--tasks") }
        return rows
    }
}

/// How the vectors are stored: float32, int8 calibrated per dimension on the stored vectors, or
/// one sign bit per dimension (searched by Hamming distance, the top 4 × depth rescored with
/// the float query).
public enum EvalStorage: String, CaseIterable, Sendable {
    case float32, int8, binary

    /// Bytes of one stored vector of `dim` dimensions (int8's per-dimension range is 8 bytes per
    /// dimension for the whole index, not per vector, so it is left out).
    public func bytesPerVector(dim: Int) -> Int {
        switch self {
        case .float32: return 4 * dim
        case .int8: return dim
        case .binary: return (dim + 7) / 8
        }
    }
}

/// The grid to evaluate: tasks × dimensions × storages, and the cut-off k of the ranking metrics.
public struct EvalPlan: Sendable {
    public var tasks: [EvalTask]
    public var dims: [Int]
    public var storages: [EvalStorage]
    public var k: Int
    public init(tasks: [EvalTask], dims: [Int], storages: [EvalStorage] = EvalStorage.allCases, k: Int = 10) {
        self.tasks = tasks; self.dims = dims; self.storages = storages; self.k = k
    }

    /// The dimensions worth trying, ascending: a Matryoshka model's list as it is; otherwise (the
    /// valid dimensions are all of 1…hidden) the full size and every power of two from 64 below it
    /// (all-MiniLM-L6-v2: 64, 128, 256, 384).
    public static func defaultDimensions(valid: [Int], hidden: Int) -> [Int] {
        guard valid == Array(1...max(hidden, 1)) else { return valid.sorted() }
        var dims = [hidden]
        var p = 64
        while p < hidden { dims.append(p); p *= 2 }
        return dims.sorted()
    }

    /// `all` (the default dimensions) or a comma-separated list, each one valid for the model.
    public static func parseDimensions(_ list: String, valid: [Int], hidden: Int) throws -> [Int] {
        if list.trimmingCharacters(in: .whitespaces) == "all" { return defaultDimensions(valid: valid, hidden: hidden) }
        var dims = [Int]()
        for item in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            guard let d = Int(item), valid.contains(d) else { throw EvalError.invalidDimension(item, valid: valid) }
            if !dims.contains(d) { dims.append(d) }
        }
        guard !dims.isEmpty else { throw EvalError.emptyList("--dims") }
        return dims.sorted()
    }
}

public enum EvalError: Error, CustomStringConvertible {
    case unknownTask(String, valid: [String])
    case invalidDimension(String, valid: [Int])
    case emptyList(String)
    case encoder(String)

    public var description: String {
        switch self {
        case .unknownTask(let t, let valid):
            return "unknown task '\(t)' for this model; valid: \(valid.joined(separator: ", ")) (or all)"
        case .invalidDimension(let d, let valid):
            if let lo = valid.first, let hi = valid.last, valid.count == hi - lo + 1 {
                return "invalid dimension '\(d)'; valid: \(lo)…\(hi) (or all)"
            }
            return "invalid dimension '\(d)'; valid: \(valid.map(String.init).joined(separator: ", ")) (or all)"
        case .emptyList(let option): return "\(option) is empty; give a comma-separated list or all"
        case .encoder(let m): return m
        }
    }
}
