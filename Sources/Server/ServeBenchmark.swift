import Foundation

/// `loupe bench --case serve`: the server in this process on 127.0.0.1, driven by N simulated clients
/// (each its own keep-alive connection, one request at a time, one short input per request), for
/// N = 1, 8, 32, 128; then the same while one bulk client sends 2,000-input requests, which shows
/// what a short request waits behind bulk work.
public enum ServeBenchmark {
    public struct Result: Sendable {
        /// "c8", or "c8+bulk".
        public var name: String
        public var clients: Int
        public var seconds: Double
        public var requests: Int
        /// Tokens of the short requests answered (usage.prompt_tokens).
        public var tokens: Int
        /// Latencies of the short requests, in seconds.
        public var p50: Double, p95: Double, p99: Double
        /// Bulk-lane rows per second the encoder got through (nil without a bulk client): a 2,000-input
        /// request can outlast the window, so this counts rows, not answered requests.
        public var bulkInputsPerSecond: Double?
        public var failures: Int
        public var tokensPerSecond: Double { seconds > 0 ? Double(tokens) / seconds : 0 }
    }

    /// `shortBody(i)`: the JSON body of short request i; `bulkBody(i)`: of bulk request i.
    public static func run(provider: any EmbeddingProvider, levels: [Int], seconds: Double, withBulk: [Int],
                           shortBody: @escaping @Sendable (Int) -> String,
                           bulkBody: @escaping @Sendable (Int) -> String) async throws -> [Result] {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.maxQueuedTokens = Int.max / 2
        let server = EmbeddingServer(provider: provider, configuration: configuration) { _ in }
        let portBox = LockedBox<Int?>(nil)
        let serving = Task { try await server.run(signals: []) { portBox.set($0) } }
        let bulkRows = LockedBox(0)
        provider.observeBatches { batch in if batch.lane == .bulk { bulkRows.update { $0 += batch.rows } } }
        while portBox.get() == nil { try await Task.sleep(nanoseconds: 5_000_000) }
        let port = portBox.get() ?? 0
        var results: [Result] = []
        do {
            // Warm-up: first forward passes, connections, caches.
            _ = try await level(port: port, clients: 4, seconds: min(2, seconds), bulk: false, shortBody: shortBody, bulkBody: bulkBody,
                          bulkRows: bulkRows)
            for n in levels {
                results.append(try await level(port: port, clients: n, seconds: seconds, bulk: false, shortBody: shortBody,
                                               bulkBody: bulkBody, bulkRows: bulkRows))
            }
            for n in withBulk {
                results.append(try await level(port: port, clients: n, seconds: seconds, bulk: true, shortBody: shortBody,
                                               bulkBody: bulkBody, bulkRows: bulkRows))
            }
        } catch {
            await server.shutdown()
            _ = try? await serving.value
            throw error
        }
        await server.shutdown()
        try await serving.value
        return results
    }

    private struct Sample: Sendable { var latency: Double; var tokens: Int; var ok: Bool }

    private static func level(port: Int, clients: Int, seconds: Double, bulk: Bool,
                              shortBody: @escaping @Sendable (Int) -> String,
                              bulkBody: @escaping @Sendable (Int) -> String, bulkRows: LockedBox<Int>) async throws -> Result {
        let start = ProcessInfo.processInfo.systemUptime
        let end = start + seconds
        let counter = LockedBox(0)
        let bulkBefore = bulkRows.get()
        let samples = try await withThrowingTaskGroup(of: [Sample].self) { group in
            for c in 0..<clients {
                group.addTask {
                    let client = try await LoopbackClient.connect(port: port)
                    var out: [Sample] = []
                    while ProcessInfo.processInfo.systemUptime < end {
                        let i = counter.update { n in defer { n += 1 }; return n }
                        let t0 = ProcessInfo.processInfo.systemUptime
                        let response = try await client.post("/v1/embeddings", json: shortBody(i * 131 + c))
                        out.append(Sample(latency: ProcessInfo.processInfo.systemUptime - t0,
                                          tokens: promptTokens(response.body), ok: response.status == 200))
                    }
                    await client.close()
                    return out
                }
            }
            if bulk {
                group.addTask {
                    let client = try await LoopbackClient.connect(port: port)
                    // At the end of the window the bulk client hangs up, which cancels its request in flight.
                    let hangUp = Task {
                        try? await Task.sleep(nanoseconds: UInt64(max(0, end - ProcessInfo.processInfo.systemUptime) * 1e9))
                        await client.close()
                    }
                    var i = 0
                    while ProcessInfo.processInfo.systemUptime < end {
                        guard (try? await client.post("/v1/embeddings", json: bulkBody(i))) != nil else { break }
                        i += 1
                    }
                    _ = await hangUp.value
                    return []
                }
            }
            var all: [Sample] = []
            for try await part in group { all += part }
            return all
        }
        let elapsed = ProcessInfo.processInfo.systemUptime - start
        let bulkDone = bulkRows.get() - bulkBefore
        let good = samples.filter(\.ok)
        let latencies = good.map(\.latency).sorted()
        func pct(_ p: Double) -> Double {
            latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int((p * Double(latencies.count)).rounded(.up)) - 1)]
        }
        return Result(name: "c\(clients)" + (bulk ? "+bulk" : ""), clients: clients, seconds: elapsed, requests: good.count,
                      tokens: good.reduce(0) { $0 + $1.tokens }, p50: pct(0.50), p95: pct(0.95), p99: pct(0.99),
                      bulkInputsPerSecond: bulk ? Double(bulkDone) / elapsed : nil,
                      failures: samples.count - good.count)
    }

    /// usage.prompt_tokens of an embeddings answer (0 when absent), read without parsing the vectors.
    static func promptTokens(_ body: [UInt8]) -> Int {
        let key = Array("\"prompt_tokens\":".utf8)
        guard body.count > key.count, let at = (0...(body.count - key.count)).last(where: { body[$0..<($0 + key.count)].elementsEqual(key) })
        else { return 0 }
        var n = 0
        for b in body[(at + key.count)...] {
            guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { break }
            n = n * 10 + Int(b - UInt8(ascii: "0"))
        }
        return n
    }
}
