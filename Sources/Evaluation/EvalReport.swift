import Foundation

/// The metrics of one (task, dimension, storage) cell of the grid.
public struct EvalCell: Sendable, Equatable {
    public var task: String
    public var dim: Int
    public var storage: EvalStorage
    /// Metric name (`EvalMetrics`) → value.
    public var metrics: [String: Double]
    public init(task: String, dim: Int, storage: EvalStorage, metrics: [String: Double]) {
        self.task = task; self.dim = dim; self.storage = storage; self.metrics = metrics
    }
}

/// Everything `Evaluator.run` measured, and the views the CLI and the explorer draw from it.
public struct EvalReport: Sendable, Equatable {
    public var kind: EvalDatasetKind
    /// Metric names in display order; the first is the main one (the chart's).
    public var metrics: [String]
    public var tasks: [String]
    public var dims: [Int]
    public var storages: [EvalStorage]
    public var cells: [EvalCell]
    /// Queries, pairs or texts that were scored.
    public var evaluated: Int
    /// Retrieval queries without a relevant document (skipped, not scored).
    public var skipped: Int

    public init(kind: EvalDatasetKind, metrics: [String], tasks: [String], dims: [Int], storages: [EvalStorage],
                cells: [EvalCell], evaluated: Int, skipped: Int = 0) {
        self.kind = kind; self.metrics = metrics; self.tasks = tasks; self.dims = dims; self.storages = storages
        self.cells = cells; self.evaluated = evaluated; self.skipped = skipped
    }

    public var mainMetric: String { metrics.first ?? "" }

    public func value(_ metric: String, task: String, dim: Int, storage: EvalStorage = .float32) -> Double? {
        cells.first { $0.task == task && $0.dim == dim && $0.storage == storage }?.metrics[metric]
    }

    /// The cell's value over the float32 value of the same task and dimension; nil when either is
    /// missing or the float32 value is not positive (a share of a zero or negative correlation
    /// means nothing).
    public func retention(_ metric: String, task: String, dim: Int, storage: EvalStorage) -> Double? {
        guard let v = value(metric, task: task, dim: dim, storage: storage),
              let base = value(metric, task: task, dim: dim, storage: .float32), base > 0 else { return nil }
        return v / base
    }

    /// One metric and storage as rows = tasks, columns = dimensions.
    public func table(metric: String, storage: EvalStorage = .float32) -> MetricTable {
        let values = tasks.map { t in dims.map { value(metric, task: t, dim: $0, storage: storage) } }
        return MetricTable(metric: metric, storage: storage, tasks: tasks, dims: dims, values: values)
    }
}

/// A metric over tasks (rows) × dimensions (columns) for one storage.
public struct MetricTable: Sendable, Equatable {
    public struct Position: Sendable, Equatable {
        public var row: Int
        public var column: Int
        public init(row: Int, column: Int) { self.row = row; self.column = column }
    }
    public var metric: String
    public var storage: EvalStorage
    public var tasks: [String]
    public var dims: [Int]
    /// `[tasks.count][dims.count]`; nil where the cell was not measured.
    public var values: [[Double?]]

    public init(metric: String, storage: EvalStorage, tasks: [String], dims: [Int], values: [[Double?]]) {
        self.metric = metric; self.storage = storage; self.tasks = tasks; self.dims = dims; self.values = values
    }

    /// The highest value; ties → the earlier row, then the smaller dimension (the cheaper cell).
    public var best: Position? {
        var found: (Position, Double)?
        for (r, row) in values.enumerated() {
            for (c, v) in row.enumerated() {
                guard let v, v.isFinite else { continue }
                if found == nil || v > found!.1 { found = (Position(row: r, column: c), v) }
            }
        }
        return found?.0
    }

    /// Bytes to store a million vectors of each column's dimension in this storage.
    public var bytesPerMillion: [Int] { dims.map { storage.bytesPerVector(dim: $0) * 1_000_000 } }
}
