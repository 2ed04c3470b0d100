import Foundation
import Tokenizers

/// Benchmark cases of the tokenizer (issue 2's speed targets): loading a tokenizer.json, and
/// tokenizing a few MB of mixed-script text on one core.
enum TokenizerBenchmark {
    /// Sentences in many scripts (Latin with accents, Cyrillic, Greek, Arabic, Hebrew, Devanagari,
    /// Bengali, Tamil, Thai, CJK, Hangul, Georgian, Armenian), plus numbers, URLs and emoji.
    static let sentences = [
        "The library opens at nine, but the reading room stays quiet until noon.",
        "Le boulanger du coin prépare des croissants dès cinq heures du matin.",
        "Wir haben gestern Abend über die Zukunft der Stadtbibliothek gesprochen.",
        "El río crece cada primavera cuando se derrite la nieve de las montañas.",
        "Você já experimentou o bolo de fubá da padaria da esquina?",
        "Восени парк стає жовтим, і діти збирають каштани.",
        "Мы договорились встретиться у входа в метро в половине седьмого.",
        "Η βιβλιοθήκη της πόλης έχει πάνω από δέκα χιλιάδες βιβλία.",
        "ذهبنا إلى السوق القديم واشترينا التوابل والقهوة.",
        "הספרייה העירונית נפתחת בשעה תשע בבוקר.",
        "हम कल सुबह पहाड़ों की ओर यात्रा शुरू करेंगे।",
        "আমরা নদীর ধারে বসে সূর্যাস্ত দেখলাম।",
        "நாங்கள் நேற்று கடற்கரையில் நடந்தோம்.",
        "พวกเราไปตลาดน้ำตั้งแต่เช้าตรู่",
        "駅前の本屋は夜十時まで営業しています。",
        "我们明天早上八点在图书馆门口见面。",
        "우리는 주말마다 한강에서 자전거를 탑니다.",
        "ჩვენ ხვალ დილით მთებში წავალთ.",
        "Մենք վաղը առավոտյան կգնանք լեռներ։",
        "Chúng tôi đã đi bộ dọc bờ sông cho đến khi trời tối.",
        "Dün akşam eski bir arkadaşımla karşılaştım.",
        "Order #4521 shipped on 2024-03-17 for $1,299.99 — see https://example.com/orders?id=4521 🚚📦",
        "let total = items.map { $0.price * Double($0.count) }.reduce(0, +) // 🙂 naïve café",
    ]

    /// About `megabytes` MB of UTF-8 text, as paragraphs of ~1 KB (documents are tokenized one
    /// at a time in practice).
    static func corpus(megabytes: Double = 4) -> [String] {
        let target = Int(megabytes * 1_000_000)
        var paragraphs = [String]()
        var total = 0
        var i = 0
        while total < target {
            var p = ""
            while p.utf8.count < 1000 {
                p += sentences[i % sentences.count] + " "
                i += 7  // step coprime with the count: paragraphs mix scripts differently
            }
            total += p.utf8.count
            paragraphs.append(p)
        }
        return paragraphs
    }

    /// CPU time of the calling thread: on a busy machine wall-clock time mostly measures the
    /// other processes, so both lines also report `cpu_seconds`.
    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func run(tokenizerPath: String) throws -> [BenchLine] {
        let url = URL(fileURLWithPath: tokenizerPath)
        let cpu0 = threadCPUSeconds()
        let (tokenizer, loadSeconds) = try measure { try Tokenizer(contentsOf: url) }
        let loadCPU = threadCPUSeconds() - cpu0
        var lines = [BenchLine(name: "tokenizer-load", seconds: loadSeconds, peakRSSBytes: peakRSSBytes(),
                               extra: [("cpu_seconds", loadCPU), ("vocabulary_size", Double(tokenizer.vocabularySize))],
                               note: url.lastPathComponent)]

        let paragraphs = corpus()
        let bytes = paragraphs.reduce(0) { $0 + $1.utf8.count }
        _ = tokenizer.encode(paragraphs[0])  // warm-up (builds the lazy Unicode tables)
        let cpu1 = threadCPUSeconds()
        let (tokens, seconds) = measure { () -> Int in
            var n = 0
            for p in paragraphs { n += tokenizer.encode(p, addSpecialTokens: true).count }
            return n
        }
        let tokenizeCPU = threadCPUSeconds() - cpu1
        lines.append(BenchLine(name: "tokenize", seconds: seconds,
                               tokensPerSecond: Double(tokens) / seconds, peakRSSBytes: peakRSSBytes(),
                               extra: [("mb_per_second", Double(bytes) / 1e6 / seconds), ("cpu_seconds", tokenizeCPU),
                                       ("cpu_mb_per_second", Double(bytes) / 1e6 / tokenizeCPU), ("megabytes", Double(bytes) / 1e6)],
                               note: "one core, \(paragraphs.count) mixed-script paragraphs"))
        return lines
    }
}
