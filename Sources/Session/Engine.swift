import Analysis
import Corpus
import EmbeddingEngine
import Foundation
import JinaEmbeddings

/// Something a session wants the person to know, and how much: the CLI prints notices unless
/// `--quiet` and warnings always; the explorer shows warnings on its status line.
public enum SessionNote: Sendable, Equatable {
    /// Which model was chosen and why, the precision in use.
    case notice(String)
    /// A degraded mode the person should know about (the cache is off, a damaged cache was moved aside).
    case warning(String)
}

/// The encoder side of a session: the encoder — the local model on an EncoderService, or a pool of remote
/// endpoints — and the cache-backed Indexer in front of it. Every front end (CLI, explorer, server) opens
/// one of these.
public final class Engine: Sendable {
    public let encoder: any EmbeddingEncoder
    public let indexer: Indexer
    /// Task instruction prefixes are prepended (retrieval.query / retrieval.passage).
    public let applyPrefix: Bool

    /// The local EncoderService, when the model runs here.
    public var service: EncoderService? { encoder as? EncoderService }

    /// The local model behind the service, if it is one (nil for remote endpoints; tests run the service
    /// on stand-in backends). Commands that need the weights themselves say so when it is nil.
    public var model: EmbeddingModel? { (service?.backend as? ModelBackend)?.model }

    public var info: ModelInfo { encoder.info }
    /// The local model's precision when it is not exact ("bf16", "int8"); nil when exact or remote.
    public var inexactPrecision: String? { model.flatMap { $0.precision == .exact ? nil : $0.precision.rawValue } }
    /// The maximum tokens per input the encoder sees (`--max-length`, capped by the model's own).
    public var maxLength: Int { encoder.maxLength }

    public convenience init(model: EmbeddingModel, maxLength: Int? = nil, applyPrefix: Bool = true, cache: EmbeddingCache?) {
        self.init(encoder: EncoderService(model: model, maxLength: maxLength), applyPrefix: applyPrefix, cache: cache)
    }

    public init(encoder: any EmbeddingEncoder, applyPrefix: Bool = true, cache: EmbeddingCache?) {
        self.encoder = encoder
        self.indexer = Indexer(encoder: encoder, cache: cache)
        self.applyPrefix = applyPrefix
    }

    /// Resolves and loads the model (`--synthetic`, `--model`, `$LOUPE_MODEL`, the HF cache, the default
    /// MiniLM) — or, with `--endpoint`, connects to the endpoints instead (Engine+Remote.swift) — opens
    /// the cache, and starts the encoder. `note` hears which model was chosen and why, what is not exact
    /// remotely, and any degraded mode (e.g. the cache is unusable: the engine then works without it).
    public static func open(_ options: EngineOptions,
                            note: @escaping @Sendable (SessionNote) -> Void = { _ in }) async throws -> Engine {
        if !options.remote.endpoints.isEmpty { return try await openRemote(options, note: note) }
        let model = try loadModel(options, note: note)
        return Engine(model: model, maxLength: options.maxLength, applyPrefix: options.applyPrefix,
                      cache: openCache(options, note: note))
    }

    /// Just the model the options name (what `loupe bench` measures), saying which and why.
    public static func loadModel(_ options: EngineOptions, note: @Sendable (SessionNote) -> Void = { _ in }) throws -> EmbeddingModel {
        if let n = options.maxLength, n < 2 { throw SessionError.options("--max-length must be at least 2 (got \(n))") }
        let precision = try options.resolvedPrecision()
        if precision != .exact { note(.notice("precision \(precision.rawValue): \(precision.summary) (not exact; README: Precision)")) }
        if let synthetic = options.synthetic {
            guard options.model == nil else { throw SessionError.options("use either --model or --synthetic, not both") }
            note(.notice("model: synthetic \(synthetic) (random weights, from --synthetic)"))
            return try EmbeddingModel.synthetic(synthetic, seed: 0, precision: precision)
        }
        let resolved = try ModelLocator.resolve(explicit: options.model, environment: options.environment)
        note(.notice("model: \(resolved.directory.path) (\(resolved.reason))"))
        return try EmbeddingModel.load(directory: resolved.directory, precision: precision)
    }

    /// The cache the options ask for, or nil (with a warning) when it cannot be opened.
    static func openCache(_ options: EngineOptions, note: @escaping @Sendable (SessionNote) -> Void) -> EmbeddingCache? {
        let directory: URL
        switch options.cache {
        case .off: return nil
        case .standard: directory = EmbeddingCache.defaultDirectory(environment: options.environment)
        case .directory(let url): directory = url
        }
        do {
            return try EmbeddingCache.open(directory: directory) { note(.warning($0)) }
        } catch {
            note(.warning("embedding cache unavailable (\(error)); continuing without it"))
            return nil
        }
    }

    // MARK: - Tasks and dimensions

    /// A `--task` value → the task to use: "none" → nil; nil → `preferred` when the model has it, else
    /// the model's default task (nil for models without adapters); anything else must be an adapter.
    public func task(_ value: String?, preferred: String?) throws -> String? {
        try TaskDefaults.resolve(value, preferred: preferred, tasks: info.tasks, defaultTask: info.defaultTask, model: info.name)
    }

    /// The task queries are embedded with against a corpus embedded under `corpusTask`.
    public func queryTask(forCorpusTask corpusTask: String?) -> String? {
        TaskDefaults.queryTask(forCorpusTask: corpusTask, available: info.tasks)
    }

    /// Throws unless `dimension` is one the model was trained for (Matryoshka) or fits it (others).
    public func validate(dimension: Int?) throws {
        guard let dimension else { return }
        guard info.dimensions.contains(dimension) else { throw ModelError.invalidDimension(dimension, valid: info.dimensions) }
    }

    /// The full output size.
    public var fullDimension: Int { info.dimensions.max() ?? info.hiddenSize }

    // MARK: - Free texts

    /// Texts embedded through the cache under `task`, truncated to `dim` and re-normalized (nil: full size).
    /// `encoderRan` tells whether any text needed the encoder (the rest came from the cache).
    public func embed(_ texts: [String], task: String?, dim: Int? = nil,
                      priority: RequestPriority = .interactive) async throws -> (vectors: Vectors, encoderRan: Bool) {
        let (rows, cached) = try await indexer.embedCounting(texts: texts, task: task, applyPrefix: applyPrefix,
                                                            priority: priority)
        try Task.checkCancellation()
        guard rows.count == texts.count, let width = rows.first?.count, rows.allSatisfy({ $0.count == width }) else {
            throw SessionError.encoder("the encoder returned \(rows.count) vectors for \(texts.count) texts")
        }
        let v = Vectors(rows: rows)
        let out = dim.map { $0 < width ? Analysis.truncate(v, to: $0) : v } ?? v
        return (out, cached < texts.count)
    }
}

/// The task defaults of the jina technical report, shared by every front end.
public enum TaskDefaults {
    /// A corpus to be searched.
    public static let passages = "retrieval.passage"
    /// Symmetric similarity: the similarity matrix, neighbours, near-duplicates, the adapter comparison.
    public static let matching = "text-matching"
    /// Clustering.
    public static let clustering = "separation"

    /// A `--task` value → the task to use: "none" → nil; nil → `preferred` when the model has it, else
    /// `defaultTask` (nil for models without adapters); anything else must be one of `tasks`.
    public static func resolve(_ value: String?, preferred: String?, tasks: [String], defaultTask: String?,
                               model: String) throws -> String? {
        guard let value else {
            if let preferred, tasks.contains(preferred) { return preferred }
            return defaultTask
        }
        if value == "none" { return nil }
        guard !tasks.isEmpty else { throw ModelError.noAdapters(model: model) }
        guard tasks.contains(value) else { throw ModelError.unknownTask(value, valid: tasks) }
        return value
    }

    /// Asymmetric retrieval pairs passages with queries; every other task is symmetric.
    public static func queryTask(forCorpusTask corpusTask: String?, available: [String]) -> String? {
        if corpusTask == passages, available.contains("retrieval.query") { return "retrieval.query" }
        return corpusTask
    }
}
