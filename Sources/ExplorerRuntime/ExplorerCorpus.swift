import Corpus
import Foundation

/// What the explorer opens: the corpus, and an evaluation data set when there is one.
///
/// - `--eval DATASET` evaluates the model on DATASET in the Adapters view. Without corpus paths the
///   data set's own texts are the corpus (a retrieval set's documents, labelled texts, or the distinct
///   sentences of a pairs file), so Search can mark a retrieval query's relevant documents.
/// - A single corpus path that is a BEIR folder (corpus.jsonl, queries.jsonl, qrels/) is both.
/// - Otherwise the paths are read as usual and there is no evaluation.
public struct ExplorerCorpus: Sendable {
    public var corpus: LoadedCorpus
    public var evaluation: EvalDataset?
    /// How the header names the corpus, and the data set's name.
    public var name: String
    public var evaluationName: String

    public static func open(paths: [String], field: String?, eval: String?,
                            defaultSample: () throws -> String) throws -> ExplorerCorpus {
        if let eval {
            let dataset = try EvalDatasetLoader.load(path: eval)
            let evalName = URL(fileURLWithPath: eval).lastPathComponent
            if paths.isEmpty {
                return ExplorerCorpus(corpus: corpus(of: dataset), evaluation: dataset, name: evalName, evaluationName: evalName)
            }
            return ExplorerCorpus(corpus: try CorpusLoader.load(paths: paths, field: field), evaluation: dataset,
                                  name: displayName(paths), evaluationName: evalName)
        }
        if paths.count == 1, isRetrievalFolder(paths[0]) {
            let dataset = try EvalDatasetLoader.load(path: paths[0])
            let name = URL(fileURLWithPath: paths[0]).lastPathComponent
            return ExplorerCorpus(corpus: corpus(of: dataset), evaluation: dataset, name: name, evaluationName: name)
        }
        let chosen = paths.isEmpty ? [try defaultSample()] : paths
        return ExplorerCorpus(corpus: try CorpusLoader.load(paths: chosen, field: field), evaluation: nil,
                              name: displayName(chosen), evaluationName: "")
    }

    /// The texts of a data set as a corpus (document i = the data set's text i).
    static func corpus(of dataset: EvalDataset) -> LoadedCorpus {
        switch dataset {
        case .retrieval(let r): return r.corpus
        case .labelled(let l):
            return LoadedCorpus(documents: l.texts.enumerated().map { Document(index: $0.offset, text: $0.element, source: "\(l.source):\($0.offset + 1)") },
                                sources: [l.source])
        case .pairs(let p):
            var seen = Set<String>(), texts: [String] = []
            for t in zip(p.first, p.second).flatMap({ [$0.0, $0.1] }) where seen.insert(t).inserted { texts.append(t) }
            return LoadedCorpus(documents: texts.enumerated().map { Document(index: $0.offset, text: $0.element, source: "\(p.source) sentence \($0.offset + 1)") },
                                sources: [p.source])
        }
    }

    static func isRetrievalFolder(_ path: String) -> Bool {
        let fm = FileManager.default
        return ["corpus.jsonl", "queries.jsonl", "qrels"].allSatisfy { fm.fileExists(atPath: (path as NSString).appendingPathComponent($0)) }
    }

    static func displayName(_ paths: [String]) -> String {
        paths.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", ")
    }
}
