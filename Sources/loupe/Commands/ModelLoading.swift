import Foundation
import JinaEmbeddings

// PLACEHOLDER — implemented with the encoder (issue 3).
extension ModelOptions {
    /// Resolves and loads the model (`--synthetic`, `--model`, $LOUPE_MODEL, HF cache, default),
    /// saying on stderr which model was chosen and why (unless --quiet).
    func loadModel() throws -> EmbeddingModel {
        throw CLIError("model loading is not implemented yet")
    }
}
