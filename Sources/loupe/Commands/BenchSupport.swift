import Foundation

/// One benchmark result line. `loupe bench --json` prints one JSON object per line with the
/// issue-7 keys (case, seconds, tokens_per_second, gflops, sgemm_gflops, efficiency,
/// peak_rss_bytes), fma_peak_gflops / of_fma_peak on engine cases (AVX-512 machines), plus any
/// `extra` keys a case adds (e.g. queries_per_second, mb_per_second).
struct BenchLine {
    var name: String
    var seconds: Double
    var tokensPerSecond: Double? = nil
    var gflops: Double? = nil
    var sgemmGflops: Double? = nil
    /// Measured fp32 fma peak of the kernels' threads: the ceiling of exact fp32 arithmetic here.
    var fmaPeakGflops: Double? = nil
    var peakRSSBytes: Int? = nil
    var extra: [(String, Double)] = []
    var note: String? = nil

    /// The fma peak measured just before and just after the case, when it was. `fmaPeakGflops` is then the
    /// higher of the two: a low reading is a disturbed measurement (a neighbour, a thread not yet awake:
    /// readings of half the peak happen), not a lower ceiling, so the share is never flattered by one.
    var peakBracket: (before: Double, after: Double)? = nil

    mutating func bracketPeak(before: Double, after: Double) {
        guard before > 0, after > 0 else { return }
        peakBracket = (before, after)
        fmaPeakGflops = max(before, after)
        extra += [("fma_peak_before_gflops", before), ("fma_peak_after_gflops", after)]
    }

    /// GFLOP/s as a share of the fma peak (nil without a measured peak).
    var shareOfPeak: Double? {
        guard let g = gflops, let p = fmaPeakGflops, p > 0 else { return nil }
        return g / p
    }

    var efficiency: Double? {
        guard let g = gflops, let s = sgemmGflops, s > 0 else { return nil }
        return g / s
    }

    func json() -> String {
        var parts = ["\"case\": \"\(name)\"", "\"seconds\": \(fmt(seconds))"]
        func add(_ k: String, _ v: Double?) { parts.append("\"\(k)\": " + (v.map(fmt) ?? "null")) }
        add("tokens_per_second", tokensPerSecond)
        add("gflops", gflops)
        add("sgemm_gflops", sgemmGflops)
        add("efficiency", efficiency)
        if let share = shareOfPeak { add("fma_peak_gflops", fmaPeakGflops); add("of_fma_peak", share) }
        parts.append("\"peak_rss_bytes\": " + (peakRSSBytes.map(String.init) ?? "null"))
        for (k, v) in extra { add(k, v) }
        if let note { parts.append("\"note\": \"\(note.replacingOccurrences(of: "\"", with: "'"))\"") }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    private func fmt(_ v: Double) -> String {
        v.isFinite ? String(format: "%.6g", v) : "null"
    }
}

/// Peak resident set size of this process (VmHWM from /proc/self/status), in bytes.
func peakRSSBytes() -> Int? {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let digits = line.split(separator: " ").compactMap { Int($0) }
        if let kb = digits.first { return kb * 1024 }
    }
    return nil
}

/// Seconds of wall-clock time taken by `body`.
func measure<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let r = try body()
    return (r, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}

/// Counters of this process (getrusage) around a measured call: CPU time of all threads, minor page
/// faults (fresh pages touched), context switches. Deltas tell contention and allocation churn apart
/// from slow code on a shared machine.
struct ProcessCounters {
    var cpuSeconds: Double, minorFaults: Int, voluntarySwitches: Int, involuntarySwitches: Int

    static func now() -> ProcessCounters {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return ProcessCounters(
            cpuSeconds: Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6,
            minorFaults: u.ru_minflt, voluntarySwitches: u.ru_nvcsw, involuntarySwitches: u.ru_nivcsw)
    }

    static func - (a: ProcessCounters, b: ProcessCounters) -> ProcessCounters {
        ProcessCounters(cpuSeconds: a.cpuSeconds - b.cpuSeconds, minorFaults: a.minorFaults - b.minorFaults,
                        voluntarySwitches: a.voluntarySwitches - b.voluntarySwitches,
                        involuntarySwitches: a.involuntarySwitches - b.involuntarySwitches)
    }
}
