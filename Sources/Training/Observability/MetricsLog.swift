import Foundation
import RunConfig
import TensorBoard

/// Rank 0's record of a run: a line on stdout every `log_every` steps, one JSON object per
/// step (and per evaluation) appended to `<checkpoint.dir>/metrics.jsonl`, and the same figures
/// as TensorBoard scalars in an event file beside it.
public final class MetricsLog {
    private let handle: FileHandle
    private let logEvery: Int
    private let maxSteps: Int
    private var recentSeconds: [Double] = []
    /// The file the JSON lines go to.
    public let url: URL
    private let runDirectory: URL
    private var status: RunStatus
    /// TensorBoard's event file of this process; nil after a write failed (warned once).
    private var events: EventFileWriter?

    /// Opens `<runDirectory>/metrics.jsonl` (emptied for a fresh run, appended to when resuming) and
    /// starts a new TensorBoard event file in `runDirectory` (a fresh run first removes old ones; a
    /// resumed one marks `step` as its restart, hiding what a crashed attempt logged from there on).
    public init(runDirectory: URL, logEvery: Int, maxSteps: Int, fresh: Bool, worldSize: Int = 1, step: Int = 0, tokens: Int = 0) throws {
        url = runDirectory.appendingPathComponent("metrics.jsonl")
        if !fresh, let note = try MetricsRepair.repair(url, resumedStep: step) { print(note) }
        do {
            try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true)
            if fresh || !FileManager.default.fileExists(atPath: url.path) {
                guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                    throw TrainingError("cannot create \(url.path)")
                }
            }
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch {
            throw TrainingError("\(url.path): cannot open the metrics file (\(error.localizedDescription)); choose a writable checkpoint.dir")
        }
        self.logEvery = logEvery
        self.maxSteps = maxSteps
        self.runDirectory = runDirectory
        let now = Date().timeIntervalSince1970
        status = RunStatus(state: "running", step: step, maxSteps: maxSteps, tokens: tokens, heartbeat: now, started: now,
                           worldSize: worldSize, pid: getpid(), host: ProcessInfo.processInfo.hostName)
        if !fresh { status.lastCheckpoint = RunStatus.latestCheckpoint(in: runDirectory) }
        status.write(runDirectory: runDirectory)
        if fresh { EventFileWriter.removeEventFiles(in: runDirectory) }
        events = try EventFileWriter(directory: runDirectory, restartStep: fresh ? nil : step)
    }

    /// Marks the run as ended in status.json: "finished", "stopped" or "failed".
    public func finish(_ state: String) {
        status.state = state
        status.heartbeat = Date().timeIntervalSince1970
        status.write(runDirectory: runDirectory)
    }

    deinit { try? handle.close() }

    /// Prints and records one event.
    public func record(_ event: TrainingEvent) {
        switch event {
        case .step(let r):
            append(encode(r))
            recordScalars([("train/loss", r.loss), ("train/lr", r.lr), ("train/grad_norm", r.gradNorm),
                           ("train/tokens_per_s", r.tokensPerSecond)], step: r.step)
            recentSeconds.append(r.milliseconds / 1000)
            if recentSeconds.count > 20 { recentSeconds.removeFirst() }
            if r.step % logEvery == 0 || r.step + 1 == maxSteps { print(line(r)) }
            status.step = r.step + 1
            status.tokens = r.tokens
            status.loss = r.loss
            status.tokensPerSecond = r.tokensPerSecond
            status.lastStepSeconds = r.milliseconds / 1000
            status.etaSeconds = mean() * Double(maxSteps - r.step - 1)
            status.heartbeat = Date().timeIntervalSince1970
            status.write(runDirectory: runDirectory)
        case .evaluation(let step, let tokens, let evaluation):
            recordEvaluation(step: step, tokens: tokens, evaluation)
        case .saved(let step, let directory, let seconds, let replicas):
            print(String(format: "step %6ld/%ld | saved ", step - 1, maxSteps) + directory.path + String(format: " in %.2f s", seconds)
                  + (replicas > 1 ? " (\(replicas) replicas identical)" : ""))
            status.lastCheckpoint = directory.lastPathComponent
            status.heartbeat = Date().timeIntervalSince1970
            status.write(runDirectory: runDirectory)
        case .warning(let text):
            Log.warning(text, rank: 0)
        }
        fflush(nil)
    }

    /// `{"step": s, "tokens": …, "val_loss": …}`; pre-training adds "val_bpb", fine-tuning
    /// "val_count" and, for classification, "val_accuracy"; step -1 is before the first step.
    private func recordEvaluation(step: Int, tokens: Int, _ e: Evaluation) {
        var json = #"{"step":\#(step - 1),"tokens":\#(tokens),"val_loss":\#(number(e.loss))"#
        var text = String(format: "step %6ld/%ld | val loss %.4f", step - 1, maxSteps, e.loss)
        switch e.unit {
        case .tokens:
            if let bpb = e.bitsPerByte {
                json += #","val_bpb":\#(number(bpb))"#
                text += String(format: " | %.4f bits per byte", bpb)
            }
            text += " | tokens \(tokens)"
        case .responseTokens:
            json += #","val_count":\#(e.count)"#
            text += " | \(e.count) response tokens"
        case .records:
            json += #","val_count":\#(e.count)"#
            if let accuracy = e.accuracy {
                json += #","val_accuracy":\#(accuracy)"#
                text += String(format: " | val accuracy %.4f (majority class %.4f)", accuracy, e.majorityRate ?? 0)
            }
            text += " | \(e.count) records"
        }
        if !e.tasks.isEmpty {
            json += #","tasks":{"# + e.tasks.map { task in
                "\(quoted(task.name)):{" + task.metrics.map { "\(quoted($0.name)):\(number($0.value))" }.joined(separator: ",") + "}"
            }.joined(separator: ",") + "}"
            for task in e.tasks { text += " | \(task.name) " + task.metrics.prefix(2).map { String(format: "\($0.name) %.4f", $0.value) }.joined(separator: " ") }
        }
        append(json + "}")
        let taskScalars = e.tasks.flatMap { task in task.metrics.map { (tag: "task/\(task.name)/\($0.name)", value: $0.value) } }
        recordScalars([("val/loss", e.loss)] + (e.accuracy.map { [("val/accuracy", $0)] } ?? [])
                      + (e.bitsPerByte.map { [("val/bits_per_byte", $0)] } ?? []) + taskScalars, step: step - 1)
        print(text)
        status.valLoss = e.loss
        if !e.tasks.isEmpty {
            status.tasks = Dictionary(e.tasks.map { task in (task.name, Dictionary(task.metrics.map { ($0.name, $0.value) }) { a, _ in a }) }) { a, _ in a }
        }
    }

    /// `text` as a JSON string literal.
    private func quoted(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }

    /// Adds scalars to the TensorBoard event file at `step` (numbered as in metrics.jsonl: the
    /// index of the last optimizer step, -1 before the first). Tags such as "val/accuracy" group
    /// charts by their part before the slash.
    public func recordScalars(_ values: [(tag: String, value: Double)], step: Int) {
        guard let writer = events else { return }
        do {
            try writer.add(values.map { Event.Scalar($0.tag, Float($0.value)) }, step: step)
        } catch {
            events = nil
            Log.warning("\(error); TensorBoard logging stops, metrics.jsonl continues", rank: 0)
        }
    }

    private func mean() -> Double { recentSeconds.reduce(0, +) / Double(max(1, recentSeconds.count)) }

    private func line(_ r: StepRecord) -> String {
        let eta = Self.duration(mean() * Double(maxSteps - r.step - 1))
        return String(format: "step %6ld/%ld | loss %.4f | lr %.2e | norm %.3f | %.0f tok/s | %.1f ms | ETA ",
                      r.step, maxSteps, r.loss, r.lr, r.gradNorm, r.tokensPerSecond, r.milliseconds) + eta
    }

    private func encode(_ r: StepRecord) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: (try? encoder.encode(r)) ?? Data(), as: UTF8.self)
    }

    private func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "\"\(x)\"" }

    func append(_ line: String) {
        handle.write(Data((line + "\n").utf8))
    }

    /// "1h02m", "3m05s" or "12s".
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}
