import Corpus
import Foundation

/// `loupe bench --case corpus`: reading corpus files (the streaming reader and its parsers, one core) on
/// about 32 MB of generated text per format; `cpu_seconds` is the thread's CPU time (robust on a busy machine).
enum CorpusBenchmark {
    static func run() -> [BenchLine] {
        let sentences = TokenizerBenchmark.sentences
        func text(_ i: Int) -> String { sentences[i % sentences.count] + " " + sentences[(i * 7 + 3) % sentences.count] }
        var lines = "", jsonl = "", csv = "id,text\n"
        var i = 0
        while lines.utf8.count < 32_000_000 {
            let t = text(i)
            lines += t + "\n"
            jsonl += "{\"id\": \(i), \"text\": \"\(t.replacingOccurrences(of: "\"", with: "\\\""))\"}\n"
            csv += "\(i),\"\(t.replacingOccurrences(of: "\"", with: "\"\""))\"\n"
            i += 1
        }
        var result: [BenchLine] = []
        for (name, format, body) in [("corpus-txt", CorpusFormat.lines, lines), ("corpus-jsonl", .jsonLines, jsonl),
                                     ("corpus-csv", .csv, csv)] {
            let data = Data(body.utf8)
            let cpu0 = TokenizerBenchmark.threadCPUSeconds()
            let (count, seconds) = measure { () -> Int in
                let reader = CorpusReader(bytes: data, format: format, label: name, pieceSizes: [1 << 20])
                var n = 0
                while let block = try? reader.next(limit: 4096), !block.isEmpty { n += block.count }
                return n
            }
            let cpu = TokenizerBenchmark.threadCPUSeconds() - cpu0
            let mb = Double(data.count) / 1e6
            result.append(BenchLine(name: name, seconds: seconds, peakRSSBytes: peakRSSBytes(),
                                    extra: [("mb_per_second", mb / seconds), ("cpu_seconds", cpu), ("cpu_mb_per_second", mb / cpu),
                                            ("documents", Double(count))],
                                    note: String(format: "%.0f MB, %d documents, one core", mb, count)))
        }
        return result
    }
}
