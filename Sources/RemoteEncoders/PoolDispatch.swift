import EmbeddingEngine
import Foundation

/// The pool's scheduling: which endpoint gets which batch, what happens to the answer, and what a
/// failure does. Everything here runs under `lock` except the HTTP requests themselves and `onBatch`.
extension RemoteEncoderPool {
    /// Hands out work while endpoints have free slots: interactive batches first (to the least loaded,
    /// fastest endpoint; one slot per endpoint is theirs alone), then bulk batches sized for the endpoint.
    func dispatchLocked() {
        let now = Self.now()
        for e in members.indices where health[e].needsProbe(now) { startProbeLocked(e) }
        guard !requests.isEmpty else { return }
        guard health.contains(where: { $0.isUsable || $0.state == .probing }) else {
            let error = RemoteError.allEndpointsFailed(members.indices.map {
                RemoteError.EndpointError(endpoint: members[$0].name, error: health[$0].lastError ?? "not reachable")
            })
            for request in Array(requests.values) { finishLocked(request, with: .failure(error)) }
            return
        }
        for lane in [RequestPriority.interactive, .bulk] {
            while queue.hasWork(lane), let (e, takeAvoided) = pick(lane, now: now) {
                let budget = lane == .interactive ? members[e].maxTokens : bulkBudget(e)
                guard let batch = queue.next(lane, endpoint: e, budget: budget, maxInputs: members[e].maxInputs,
                                             takeAvoided: takeAvoided, requests: requests) else { break }
                launchLocked(batch, on: e, now: now)
            }
        }
        publishLoadLocked()
        scheduleWakeUpLocked(now: now)
    }

    /// The endpoint for the next batch of `lane`, and whether it may take a batch it failed itself.
    private func pick(_ lane: RequestPriority, now: Double) -> (Int, Bool)? {
        let depth = max(1, options.pipelineDepth)
        let usable = members.indices.filter { health[$0].isUsable }
        let candidates = members.indices.filter { e in
            let h = health[e]
            guard h.isAvailable(now), h.inFlight < depth + 1, lane == .interactive || h.bulkInFlight < depth else { return false }
            // Work this endpoint just failed waits for another one, unless there is none.
            return !queue.onlyAvoided(lane, endpoint: e) || usable == [e]
        }
        let best = candidates.min { a, b in
            let (ha, hb) = (health[a], health[b])
            let (la, lb) = lane == .interactive ? (ha.inFlight, hb.inFlight) : (ha.bulkInFlight, hb.bulkInFlight)
            if la != lb { return la < lb }
            return (ha.tokensPerSecond ?? 0) > (hb.tokensPerSecond ?? 0)
        }
        return best.map { ($0, usable == [$0]) }
    }

    /// Tokens of the next bulk batch for endpoint `e`: what it does in `targetBatchSeconds` at its measured
    /// speed — less near the end, so that every endpoint finishes at about the same time.
    private func bulkBudget(_ e: Int) -> Int {
        guard let rate = health[e].tokensPerSecond else { return options.minimumBatchTokens }
        let total = members.indices.filter { health[$0].isUsable }.reduce(0.0) { $0 + (health[$1].tokensPerSecond ?? 0) }
        var seconds = options.targetBatchSeconds
        if total > 0 { seconds = min(seconds, Double(queue.waitingTokens(.bulk, requests)) / total / 2) }
        let wanted = Int(rate * seconds)
        return max(options.minimumBatchTokens, min(members[e].maxTokens, wanted))
    }

    private func launchLocked(_ batch: PoolBatch, on e: Int, now: Double) {
        guard let request = requests[batch.request] else { return }
        health[e].sent(bulk: batch.lane == .bulk, now: now)
        var call = EmbedCall(texts: [], task: request.task, normalize: request.normalize, priority: batch.lane)
        if batch.late, let item = batch.items.first, let chunks = request.items[item].chunks {
            // The chunks of one document: one pass when the endpoints late-chunk, else each on its own.
            let scalars = Array(request.items[item].text.unicodeScalars)
            call.texts = chunks.map { span in
                var v = String.UnicodeScalarView()
                v.append(contentsOf: scalars[max(0, span.lowerBound)..<min(scalars.count, span.upperBound)])
                return request.prefix + String(v).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            call.lateChunking = supportsLateChunking
        } else {
            call.texts = batch.items.map { request.texts[$0] }
        }
        let timeout = options.requestTimeout
            ?? max(options.minimumTimeout, 10 * Double(batch.tokens) / max(1, health[e].tokensPerSecond ?? 50))
        let member = members[e]
        request.inFlight[batch.id] = Task { [self] in
            let started = Self.now()
            do {
                let (vectors, model) = try await EndpointProbe.embed(call, model: member.model, kind: member.kind,
                                                                     transport: member.transport, timeout: timeout)
                try check(vectors, model: model, call: call, member: member)
                completed(batch, on: e, vectors: vectors.map { $0.normalizedIfNeeded(call.normalize) },
                          seconds: Self.now() - started)
            } catch is CancellationError {
                abandoned(batch, on: e)
            } catch let failure as EndpointFailure {
                failed(batch, on: e, failure)
            } catch {
                failed(batch, on: e, .unreachable("\(error)"))
            }
        }
    }

    /// An answer is used only when it is what was asked for, from the model the pool was opened with.
    private func check(_ vectors: [[Float]], model: String?, call: EmbedCall, member: Member) throws {
        if let model, model != member.model {
            throw EndpointFailure.malformed("it now serves model \(model), not \(member.model)")
        }
        if let bad = vectors.first(where: { $0.count != info.hiddenSize }) {
            throw EndpointFailure.malformed("a vector of \(bad.count) dimensions, expected \(info.hiddenSize)")
        }
        if call.normalize, vectors.contains(where: { $0.allSatisfy { $0 == 0 } }) {
            throw EndpointFailure.malformed("an all-zero vector")
        }
    }

    private func completed(_ batch: PoolBatch, on e: Int, vectors: [[Float]], seconds: Double) {
        let perItem: [[[Float]]] = batch.late ? [vectors] : vectors.map { [$0] }
        let (request, fresh): (PoolRequest?, [Int]) = lock.withLock {
            health[e].succeeded(tokens: batch.tokens, bulk: batch.lane == .bulk, now: Self.now())
            load.recordBatch(EncoderBatch(rows: batch.items.count, tokens: batch.tokens, requests: 1, lane: batch.lane,
                                          seconds: seconds))
            guard let request = requests[batch.request], request.inFlight.removeValue(forKey: batch.id) != nil else {
                dispatchLocked()
                return (nil, [])
            }
            return (request, batch.items.indices.filter { request.results[batch.items[$0]] == nil })
        }
        guard let request else { return }
        // The cache hears the batch before anything else, outside the lock (it writes to disk).
        if !fresh.isEmpty { request.onBatch?(fresh.map { batch.items[$0] }, fresh.map { perItem[$0] }) }
        lock.withLock {
            guard requests[request.id] != nil else { return dispatchLocked() }
            var tokens = 0
            for k in fresh {
                request.results[batch.items[k]] = perItem[k]
                tokens += request.tokens[batch.items[k]]
            }
            request.done += fresh.count
            request.doneTokens += tokens
            if request.priority == .bulk { progressTracker.advance(texts: fresh.count, tokens: tokens) }
            if request.isComplete { finishLocked(request, with: .success(request.results.map { $0 ?? [] })) }
            dispatchLocked()
        }
    }

    /// The request was cancelled (its batch with it); a batch cancelled for any other reason is sent again.
    private func abandoned(_ batch: PoolBatch, on e: Int) {
        lock.withLock {
            health[e].cancelled(bulk: batch.lane == .bulk, now: Self.now())
            if let request = requests[batch.request], request.inFlight.removeValue(forKey: batch.id) != nil {
                queue.retry(batch)
            }
            dispatchLocked()
        }
    }

    private func failed(_ batch: PoolBatch, on e: Int, _ failure: EndpointFailure) {
        lock.withLock {
            let name = members[e].name
            guard let request = requests[batch.request], request.inFlight.removeValue(forKey: batch.id) != nil else {
                health[e].failed(failure.description, retryAfter: failure.retryAfter, authorization: failure.isAuthorization,
                                 bulk: batch.lane == .bulk, now: Self.now(), options: options, jitter: .random(in: 0...1))
                return dispatchLocked()
            }
            if failure.isRefusal {
                // The input, not the endpoint: split the batch to find it, or give up on it.
                health[e].cancelled(bulk: batch.lane == .bulk, now: Self.now())
                if batch.items.count > 1 {
                    let half = batch.items.count / 2
                    for part in [Array(batch.items[..<half]), Array(batch.items[half...])] {
                        queue.retry(PoolBatch(id: queue.newBatchID(), request: batch.request, items: part,
                                              tokens: part.reduce(0) { $0 + request.tokens[$1] }, lane: batch.lane,
                                              late: false, attempts: batch.attempts))
                    }
                } else {
                    finishLocked(request, with: .failure(RemoteError.refused(endpoint: name, failure.description)))
                }
                return dispatchLocked()
            }
            health[e].failed(failure.description, retryAfter: failure.retryAfter, authorization: failure.isAuthorization,
                             bulk: batch.lane == .bulk, now: Self.now(), options: options, jitter: .random(in: 0...1))
            var again = batch
            again.attempts += 1
            again.avoid = e
            if again.attempts >= options.maximumAttempts {
                finishLocked(request, with: .failure(RemoteError.allEndpointsFailed([.init(endpoint: name, error: failure.description)])))
            } else {
                queue.retry(again)
            }
            dispatchLocked()
        }
    }

    // MARK: - Probes and timers

    /// An endpoint back from a pause is probed before it gets work: the same model must answer.
    private func startProbeLocked(_ e: Int) {
        health[e].probeStarted()
        let member = members[e], reference = self.reference, options = self.options
        Task { [self] in
            let verdict: Result<Void, EndpointHealth.ProbeVerdict>
            do {
                let found = try await EndpointProbe.describe(member.transport, kind: member.kind, model: member.model,
                                                             timeout: options.probeTimeout)
                if let difference = found.disagreement(with: reference, tolerance: RemoteIdentity.tolerance) {
                    verdict = .failure(.differentModel("it now serves another model (\(difference))"))
                } else {
                    verdict = .success(())
                }
            } catch {
                verdict = .failure(.unreachable("\(error)"))
            }
            lock.withLock {
                health[e].probeFinished(verdict, now: Self.now(), options: options)
                dispatchLocked()
            }
        }
    }

    /// Wakes the dispatcher when the earliest pause ends (an endpoint backing off, or one due for a probe).
    private func scheduleWakeUpLocked(now: Double) {
        guard let wake = health.compactMap(\.pausedUntil).filter({ $0 > now }).min() else { return }
        if let timer, timer.at <= wake, timer.at > now { return }
        timer?.task.cancel()
        let delay = wake - now + 0.001
        timer = (Task { [weak self] in
            try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            guard !Task.isCancelled, let self else { return }
            self.lock.withLock {
                self.timer = nil
                self.dispatchLocked()
            }
        }, wake)
    }
}

extension Array where Element == Float {
    /// L2-normalized when asked and not already (to 1e-4): an endpoint's unit vectors stay bit for bit.
    func normalizedIfNeeded(_ normalize: Bool) -> [Float] {
        guard normalize else { return self }
        let norm = reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0, abs(norm - 1) > 1e-4 else { return self }
        return map { $0 / norm }
    }
}
