import Foundation

/// A moment of a fetch, for a progress bar.
public struct FetchStatus: Sendable, Equatable {
    /// The file being downloaded, if any.
    public var file: String?
    public var fileIndex = 0
    public var fileCount = 0
    /// Bytes of the files to download that are on disk (resumed ones included) and their total.
    public var bytesDone: Int64 = 0
    public var bytesTotal: Int64 = 0
    /// Over the bytes received in this run only (resumed bytes cost no time).
    public var bytesPerSecond: Double = 0

    public var fraction: Double { bytesTotal > 0 ? Double(bytesDone) / Double(bytesTotal) : 0 }
    public var eta: Double? {
        bytesPerSecond > 0 && bytesDone < bytesTotal ? Double(bytesTotal - bytesDone) / bytesPerSecond : nil
    }
}

/// Shared between the download (which writes) and a progress bar (which polls `status`).
public final class FetchProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var state = FetchStatus()
    private var received: Int64 = 0
    private var started: ContinuousClock.Instant?

    public init() {}

    public var status: FetchStatus {
        lock.withLock {
            var s = state
            if let started, received > 0 {
                let elapsed = started.duration(to: .now)
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                s.bytesPerSecond = seconds > 0.2 ? Double(received) / seconds : 0
            }
            return s
        }
    }

    func begin(bytes: Int64, files: Int) {
        lock.withLock { state = FetchStatus(fileCount: files, bytesTotal: bytes) }
    }

    /// A file starts, `resumed` bytes of it already on disk.
    func startFile(_ path: String, resumed: Int64) {
        lock.withLock {
            state.file = path; state.fileIndex += 1; state.bytesDone += resumed
            if started == nil { started = .now }
        }
    }

    func received(_ n: Int) {
        lock.withLock { state.bytesDone += Int64(n); received += Int64(n) }
    }

    /// Bytes thrown away (a server that ignored a Range request sends the file again from the start).
    func discard(_ n: Int64) {
        lock.withLock { state.bytesDone -= n }
    }

    func finishFile() { lock.withLock { state.file = nil } }
}
