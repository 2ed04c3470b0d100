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
    /// `--precision` (exact by default); `--lossy` and LOUPE_LOSSY=1 mean bf16.
    func loadModel() throws -> EmbeddingModel {
        let env = ProcessInfo.processInfo.environment
        let precision = try resolvedPrecision(environment: env)
        if precision != .exact && !quiet { notice("loupe: precision \(precision.rawValue): not exact (see BENCHMARKS.md for its quality)") }
        if let synthetic {
            guard model == nil else { throw CLIError("use either --model or --synthetic, not both") }
            if !quiet { notice("loupe: model: synthetic \(synthetic) (random weights, from --synthetic)") }
            return try EmbeddingModel.synthetic(synthetic, seed: 0, precision: precision)
        }
        let resolved = try ModelLocator.resolve(explicit: model, environment: env)
        if !quiet { notice("loupe: model: \(resolved.directory.path) (\(resolved.reason))") }
        let loaded = try EmbeddingModel.load(directory: resolved.directory, precision: precision)
        if let maxLength, maxLength < 2 { throw CLIError("--max-length must be at least 2") }
        return loaded
    }

    /// `--precision`, else bf16 for `--lossy` / LOUPE_LOSSY=1, else exact.
    func resolvedPrecision(environment env: [String: String]) throws -> Precision {
        if let precision {
            if lossy && precision != .bf16 { throw CLIError("--lossy means --precision bf16; drop one of them") }
            return precision
        }
        return lossy || ["1", "true", "yes"].contains(env["LOUPE_LOSSY"]?.lowercased() ?? "") ? .bf16 : .exact
    }
}
