import Foundation
import RunConfig

/// Decides whether a checkpoint continues this run exactly, before any of its tensors are used.
///
/// Every config field is compared. A different model, tokenizer, task or label set cannot be
/// resumed at all. Fields that change what the next steps compute (seed, batch, optimizer
/// settings, the data) are refused unless the user accepts an inexact continuation. Fields that
/// only change how long the run goes on or how it is watched and saved may change freely; they
/// are listed so the log shows what changed.
public enum ResumeCheck {
    /// One field whose value differs between the checkpoint and this run.
    public struct Difference: Sendable, Equatable {
        public var field: String
        public var saved: String
        public var current: String
        /// "field: A in the checkpoint, B in this run".
        public var description: String { "\(field): \(saved) in the checkpoint, \(current) in this run" }
    }

    /// Fields that may change on resume by design.
    public static let free: Set<String> = [
        "training.max_steps", "training.log_every", "training.max_skipped_steps", "training.micro_batch",
        "eval.every", "eval.batches", "checkpoint.dir", "checkpoint.every", "checkpoint.keep", "checkpoint.save_timeout_s",
        "distributed.bucket_mb", "distributed.overlap", "distributed.watchdog_s", "distributed.shard_optimizer",
        "data.corpus", "data.dir", "data.val_corpus", "data.tokenizer_sample_mb", "data.prepare_chunk_mb",
        "finetune.init_from", "finetune.train_file", "finetune.val_file",
    ]
    /// Prefixes of fields that can never change: the tensors would not fit or mean something else.
    static let fixed = ["model.", "finetune.task", "finetune.labels"]

    /// Throws a one-line error listing every differing field that is not allowed to differ;
    /// `note` receives the accepted differences. `saved` holds the checkpoint's values of
    /// "tokenizer" and "data" beside its config, `current` this run's.
    public static func verify(saved: [String: String], current: [String: String], checkpoint: URL,
                              acceptInexact: Bool, note: (String) -> Void) throws {
        let differences = compare(saved, current)
        let impossible = differences.filter { d in d.field == "tokenizer" || fixed.contains { d.field.hasPrefix($0) } }
        guard impossible.isEmpty else {
            throw TrainingError("\(checkpoint.path) cannot continue this run: " + impossible.map(\.description).joined(separator: "; ")
                                + "; resume with the config and tokenizer that made it, or start a new checkpoint.dir")
        }
        let inexact = differences.filter { !free.contains($0.field) }
        if !inexact.isEmpty && !acceptInexact {
            throw TrainingError("\(checkpoint.path) would not continue this run exactly: " + inexact.map(\.description).joined(separator: "; ")
                                + "; resume with the same settings, or pass --inexact-resume to continue with the new ones")
        }
        for d in differences where free.contains(d.field) { note("resume: \(d.description) (allowed)") }
        if !inexact.isEmpty {
            note("resume: \(inexact.map(\.description).joined(separator: "; ")); accepted with --inexact-resume: this run is no longer an exact continuation")
        }
    }

    /// The line to print when a resume switches exact sums on or off (`distributed.exact`), or nil.
    public static func exactNote(savedExact: Bool, exact: Bool, step: Int) -> String? {
        switch (savedExact, exact) {
        case (false, true):
            return "resume: the \(step) steps before this resume were not summed exactly (distributed.exact was off, or the checkpoint predates it); the steps from here on are, but the run is not bit-identical to one exact from the start"
        case (true, false):
            return "resume: distributed.exact is off from here on; the steps that follow depend on how micro-batches sit on ranks"
        default:
            return nil
        }
    }

    /// The fields whose values differ, in name order (a field one side lacks reads "none").
    public static func compare(_ a: [String: String], _ b: [String: String]) -> [Difference] {
        Set(a.keys).union(b.keys).sorted().compactMap { key in
            let x = a[key] ?? "none", y = b[key] ?? "none"
            return x == y ? nil : Difference(field: key, saved: x, current: y)
        }
    }

    /// A config as "section.key" → value text, for `verify`.
    public static func fields(of config: TrainConfig) -> [String: String] {
        guard let object = try? JSONSerialization.jsonObject(with: ConfigLoader.canonicalJSON(config)) as? [String: Any] else { return [:] }
        var out: [String: String] = [:]
        for (section, value) in object {
            guard let fields = value as? [String: Any] else { continue }
            for (key, v) in fields { out["\(section).\(key)"] = text(v) }
        }
        return out
    }

    private static func text(_ value: Any) -> String {
        let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "\(value)"
    }
}
