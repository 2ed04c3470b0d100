import Analysis
import ArgumentParser
import Foundation

/// `loupe cluster`: k-means++ (k given or chosen by silhouette) or average-link clustering of a corpus.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Cluster the documents of a corpus (k-means++, or average-link agglomerative).",
        discussion: """
        Default task: separation (jina models). Without --k, k is chosen automatically (--auto) by \
        silhouette over a sample. A chunked document is clustered by the normalized mean of its chunks. \
        Output: {"k": N, "assignments": [...], "clusters": [{"size": n, "label": "...", "central": [indices]}]} \
        with --json; clusters are ordered largest first and assignments index that order.
        """)

    enum Method: String, ExpressibleByArgument, CaseIterable { case kmeans, agglomerative }

    @Argument(help: "Corpus files (.txt, .jsonl, .csv, .tsv), directories, or - for stdin.")
    var corpus: [String] = []
    @Option(name: .long, help: "Number of clusters.")
    var k: Int?
    @Flag(name: .long, help: "Choose k automatically by silhouette (the default when --k is absent).")
    var auto = false
    @Option(name: .long, help: "Largest k tried by --auto.")
    var maxK = 12
    @Option(name: .long, help: "kmeans or agglomerative (average link, up to \(ClusterCommand.agglomerativeLimit) documents).")
    var method: Method = .kmeans
    @Option(name: .long, help: "Seed for k-means++ (same seed, same clusters).")
    var seed: UInt64 = 42
    @Option(name: .long, help: "Task adapter (default separation for jina models; 'none' for no adapter).")
    var task: String?
    @Option(name: .long, help: "Matryoshka dimension (truncate, then renormalize).")
    var dim: Int?
    @Flag(name: .long, help: "Print JSON on stdout.")
    var json = false
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var corpusOptions: CorpusOptions

    static let agglomerativeLimit = 5000

    func validate() throws {
        guard !corpus.isEmpty else { throw ValidationError("give a corpus: one or more files, a directory, or - for stdin") }
        if let k, k < 1 { throw ValidationError("--k must be at least 1") }
        if k != nil && auto { throw ValidationError("give either --k N or --auto, not both") }
        if maxK < 2 { throw ValidationError("--max-k must be at least 2") }
        if method == .agglomerative && k == nil { throw ValidationError("--method agglomerative needs --k N") }
    }

    struct Output: Encodable {
        struct Item: Encodable { var size: Int; var label: String; var central: [Int] }
        var k: Int
        var assignments: [Int]
        var clusters: [Item]
        var silhouette: Float?
    }

    func run() async throws {
        let (model, task) = try AnalysisCLI.model(modelOptions, task: task, default: "separation", dim: dim)
        let session = try await AnalysisCLI.open(corpus, corpus: corpusOptions, model: modelOptions, loaded: model, task: task)
        let v = try AnalysisCLI.documentVectors(session, dim: dim)
        let texts = session.indexed.corpus.documents.map(\.text)
        if let k, k > texts.count {
            throw CLIError("--k \(k) is more than the \(texts.count) documents of the corpus")
        }
        let result: Clustering
        switch (method, k) {
        case (.agglomerative, let k?):
            guard texts.count <= Self.agglomerativeLimit else {
                throw CLIError("agglomerative clustering is limited to \(Self.agglomerativeLimit) documents (this corpus has \(texts.count)); use --method kmeans")
            }
            result = Analysis.agglomerative(v, k: k, texts: texts)
        case (_, let k?): result = Analysis.kmeans(v, k: k, texts: texts, seed: seed)
        default: result = Analysis.autoKMeans(v, texts: texts, maxK: maxK, seed: seed)
        }
        if json {
            return try AnalysisCLI.printJSON(Output(
                k: result.k, assignments: result.assignments,
                clusters: result.clusters.map { .init(size: $0.size, label: $0.label, central: $0.central) },
                silhouette: result.silhouette))
        }
        var header = "\(result.k) clusters of \(texts.count) documents"
        if let s = result.silhouette { header += " (chosen by silhouette \(AnalysisCLI.format(s)))" }
        print(header)
        for (c, cluster) in result.clusters.enumerated() {
            print("")
            print("cluster \(c)  size \(cluster.size)  \(cluster.label.isEmpty ? "(no label)" : cluster.label)")
            var t = TextTable(["", "index", "text"], rightAligned: [1])
            for i in cluster.central { t.add(["  ", "\(i)", texts[i]]) }
            print(t.render(), terminator: "")
        }
    }
}
