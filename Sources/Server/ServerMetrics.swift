import Foundation
import CoreMetrics
import Prometheus

/// The server's metrics through swift-metrics, kept in this server's own Prometheus registry (no global
/// bootstrap, so several servers — tests — can live in one process) and rendered by `GET /metrics`.
///
///   loupe_http_requests_total{route,method,status}     requests answered
///   loupe_http_request_duration_seconds{route}         latency histogram
///   loupe_inputs_total / loupe_input_tokens_total      texts (or id rows) and tokens embedded for clients
///   loupe_encoder_rows_total / loupe_encoder_tokens_total  what the encoder computed (cache hits are the difference)
///   loupe_batch_rows, loupe_batch_tokens, loupe_batch_requests  per forward pass (histograms)
///   loupe_queue_rows, loupe_queue_tokens, loupe_requests_in_flight  queue depth at scrape time
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let inputs, inputTokens, encoderRows, encoderTokens: CoreMetrics.Counter
    private let batchRows, batchTokens, batchRequests: Recorder
    private let queueRows, queueTokens, inFlight: CoreMetrics.Gauge

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
            .map { Duration.milliseconds(Int64($0 * 1000)) }
        factory.valueHistogramBuckets = [
            "loupe_batch_rows": [1, 2, 4, 8, 16, 32, 64, 128],
            "loupe_batch_tokens": [16, 64, 256, 1024, 2048, 4096, 8192, 16384],
            "loupe_batch_requests": [1, 2, 4, 8, 16, 32, 64],
        ]
        self.factory = factory
        inputs = CoreMetrics.Counter(label: "loupe_inputs_total", factory: factory)
        inputTokens = CoreMetrics.Counter(label: "loupe_input_tokens_total", factory: factory)
        encoderRows = CoreMetrics.Counter(label: "loupe_encoder_rows_total", factory: factory)
        encoderTokens = CoreMetrics.Counter(label: "loupe_encoder_tokens_total", factory: factory)
        batchRows = Recorder(label: "loupe_batch_rows", aggregate: true, factory: factory)
        batchTokens = Recorder(label: "loupe_batch_tokens", aggregate: true, factory: factory)
        batchRequests = Recorder(label: "loupe_batch_requests", aggregate: true, factory: factory)
        queueRows = CoreMetrics.Gauge(label: "loupe_queue_rows", factory: factory)
        queueTokens = CoreMetrics.Gauge(label: "loupe_queue_tokens", factory: factory)
        inFlight = CoreMetrics.Gauge(label: "loupe_requests_in_flight", factory: factory)
    }

    func request(route: String, method: String, status: Int, seconds: Double) {
        CoreMetrics.Counter(label: "loupe_http_requests_total",
                            dimensions: [("route", route), ("method", method), ("status", String(status))], factory: factory)
            .increment()
        CoreMetrics.Timer(label: "loupe_http_request_duration_seconds", dimensions: [("route", route)], factory: factory)
            .recordNanoseconds(Int64(seconds * 1e9))
    }

    func served(inputs count: Int, tokens: Int) {
        inputs.increment(by: count)
        inputTokens.increment(by: tokens)
    }

    func batch(_ b: ProviderBatch) {
        encoderRows.increment(by: b.rows)
        encoderTokens.increment(by: b.tokens)
        batchRows.record(b.rows)
        batchTokens.record(b.tokens)
        batchRequests.record(b.requests)
    }

    /// The Prometheus text exposition, with the queue gauges read now.
    func render(load: ProviderLoad) -> [UInt8] {
        queueRows.record(load.queuedRows)
        queueTokens.record(load.queuedTokens)
        inFlight.record(load.requestsInFlight)
        return registry.emitToBuffer()
    }
}
