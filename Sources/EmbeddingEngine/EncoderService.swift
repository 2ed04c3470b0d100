import Foundation
import JinaEmbeddings

// PLACEHOLDER — the real actor runs on a background DispatchQueue through a custom SerialExecutor.
public actor EncoderService {
    public nonisolated let info: ModelInfo
    let model: EmbeddingModel

    public init(model: EmbeddingModel) {
        self.model = model
        self.info = ModelInfo(name: model.name, tasks: model.tasks, dimensions: model.dimensions,
                              hiddenSize: model.hiddenSize, defaultTask: model.defaultTask,
                              fingerprint: model.fingerprint, instructions: model.config.taskInstructions)
    }

    /// Embeds items under `task` (nil = none). Returns, per item, one full-size normalized vector,
    /// or one per chunk when the item has chunks. Throws CancellationError when the calling Task
    /// is cancelled (checked at batch/layer boundaries); a cancelled request never delivers.
    public func embed(_ items: [EmbeddingItem], task: String?, applyPrefix: Bool = true,
                      priority: RequestPriority) async throws -> [[[Float]]] {
        throw ModelError.invalidInput("not implemented")
    }

    /// Convenience for whole texts: one vector per text.
    public func embed(texts: [String], task: String?, applyPrefix: Bool = true,
                      priority: RequestPriority) async throws -> [[Float]] {
        try await embed(texts.map { EmbeddingItem(text: $0) }, task: task, applyPrefix: applyPrefix,
                        priority: priority).map { $0[0] }
    }

    /// The latest progress snapshot (bulk work).
    public nonisolated var progress: EncoderProgress { EncoderProgress() }
}
