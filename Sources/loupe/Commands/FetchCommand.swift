import ArgumentParser
import Foundation
import ModelHub

/// `loupe fetch REPO`: downloads a model from the Hugging Face Hub into the HF cache (ModelHub does the
/// work), draws the progress and prints the snapshot folder on stdout.
struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download a model from the Hugging Face Hub into the Hugging Face cache.",
        discussion: """
            Files land in ${HF_HUB_CACHE:-${HF_HOME:-~/.cache/huggingface}/hub}/models--ORG--NAME in the \
            layout huggingface_hub uses, so loupe (jina-embeddings-v3 is found without --model) and every \
            other Hugging Face tool find them. By default only what loupe needs is downloaded: config.json, \
            model.safetensors, tokenizer.json, tokenizer_config.json, special_tokens_map.json and the \
            sentence-transformers side files (modules.json, sentence_bert_config.json, \
            config_sentence_transformers.json, 1_Pooling/config.json). An interrupted download resumes where \
            it stopped; every file is checked against the hash the Hub reports before it is used. \
            HF_ENDPOINT selects a mirror; HF_TOKEN (or the token file of `hf auth login`) is sent for private \
            and gated models. The snapshot folder is printed on stdout.
            """)

    @Argument(help: "Model repository, ORG/NAME (e.g. jinaai/jina-embeddings-v3).")
    var repo: String

    @Option(name: .long, help: "Branch, tag or commit.")
    var revision = "main"

    @Option(name: .long, help: "Also download the files matching GLOB (repeatable; * also matches /).")
    var include: [String] = []

    @Flag(name: .long, help: "Download every file of the repository.")
    var all = false

    @Flag(name: .long, help: "No progress or summary on stderr.")
    var quiet = false

    func run() async throws {
        let settings = HubSettings.from(environment: ProcessInfo.processInfo.environment)
        let fetcher = ModelFetcher(settings: settings, selection: FileSelection(all: all, include: include))
        let progress = fetcher.progress
        let report = try await ProgressBar.run(enabled: !quiet && ProgressBar.stderrIsTerminal, line: { width in
            let s = progress.status
            guard let file = s.file else { return nil }
            var tail = "[\(s.fileIndex)/\(s.fileCount)] \(file)  \(formatBytes(s.bytesDone))/\(formatBytes(s.bytesTotal))"
            if s.bytesPerSecond > 0 { tail += "  \(formatBytes(Int64(s.bytesPerSecond)))/s" }
            if let eta = s.eta { tail += "  ETA \(ProgressBar.duration(eta))" }
            return ProgressBar.render(fraction: s.fraction, label: "fetching", tail: tail, width: width)
        }) {
            try await fetcher.fetch(repo: repo, revision: revision)
        }
        if !quiet { summarize(report) }
        print(report.snapshot.path)
    }

    private func summarize(_ r: FetchReport) {
        let name = "\(r.repo) @ \(r.revision)" + (r.revision == r.commit ? "" : " (commit \(r.commit.prefix(12)))")
        if r.wasComplete {
            CLI.note("\(name) is already complete in the cache (\(r.files.count) files): nothing downloaded")
        } else {
            var parts = ["\(r.downloaded.count) file\(r.downloaded.count == 1 ? "" : "s") downloaded (\(formatBytes(r.bytesReceived))"
                         + (r.bytesResumed > 0 ? ", \(formatBytes(r.bytesResumed)) resumed from an earlier run)" : ")")]
            if !r.linked.isEmpty { parts.append("\(r.linked.count) linked from blobs already in the cache") }
            let present = r.files.count - r.downloaded.count - r.linked.count
            if present > 0 { parts.append("\(present) already there") }
            CLI.note("fetched \(name): " + parts.joined(separator: ", "))
        }
        if !r.sizeOnly.isEmpty {
            CLI.note("the server reported no hash for \(r.sizeOnly.joined(separator: ", ")): checked by size only")
        }
        CLI.note(r.repo == "jinaai/jina-embeddings-v3"
                 ? "loupe finds it in the Hugging Face cache by itself (or pass --model \(r.snapshot.path))"
                 : "use it with --model \(r.snapshot.path)")
    }
}
