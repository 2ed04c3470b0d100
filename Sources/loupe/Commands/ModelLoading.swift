import Foundation
import JinaEmbeddings

extension ModelOptions {
    /// One line on stderr (diagnostics never go to stdout, which carries the command's output).
    private func notice(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Resolves and loads the model (`--synthetic`, `--model`, $LOUPE_MODEL, HF cache, default),
    /// saying on stderr which model was chosen and why (unless --quiet).
    /// Weight matrices stay in the checkpoint's dtype (bf16 for jina-v3) and are widened inside
    /// the kernels.
    /// `lossy` (or LOUPE_LOSSY=1): bf16 weights on the lossy bf16 dot-product kernel (not exact).
    func loadModel(lossy lossyFlag: Bool = false) throws -> EmbeddingModel {
        let env = ProcessInfo.processInfo.environment
        let lossy = lossyFlag || ["1", "true", "yes"].contains(env["LOUPE_LOSSY"]?.lowercased() ?? "")
        if lossy && !quiet { notice("loupe: lossy mode: bf16 dot-product kernel (activations rounded to bf16; not exact)") }
        if let synthetic {
            guard model == nil else { throw CLIError("use either --model or --synthetic, not both") }
            if !quiet { notice("loupe: model: synthetic \(synthetic) (random weights, from --synthetic)") }
            return try EmbeddingModel.synthetic(synthetic, seed: 0, lossy: lossy)
        }
        let resolved = try ModelLocator.resolve(explicit: model, environment: env)
        if !quiet { notice("loupe: model: \(resolved.directory.path) (\(resolved.reason))") }
        let loaded = try EmbeddingModel.load(directory: resolved.directory, lossy: lossy)
        if let maxLength, maxLength < 2 { throw CLIError("--max-length must be at least 2") }
        return loaded
    }
}
