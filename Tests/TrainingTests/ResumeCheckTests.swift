import Foundation
import RunConfig
import Testing
import Training

/// Which differences between a checkpoint's config and this run's a resume accepts.
@Suite struct ResumeCheckTests {
    let url = URL(fileURLWithPath: "/tmp/run/step-0000010")

    func fields(_ change: (inout TrainConfig) -> Void = { _ in }) -> [String: String] {
        var config = TrainConfig()
        change(&config)
        return ResumeCheck.fields(of: config).merging(["tokenizer": "vocab.json 1234", "data": "abcd"]) { $1 }
    }

    @Test func identicalRunsResumeSilently() throws {
        var notes: [String] = []
        try ResumeCheck.verify(saved: fields(), current: fields(), checkpoint: url, acceptInexact: false) { notes.append($0) }
        #expect(notes.isEmpty)
    }

    @Test func cadenceAndLengthChangesAreAllowedAndNoted() throws {
        var notes: [String] = []
        try ResumeCheck.verify(saved: fields(), current: fields { $0.training.maxSteps = 900; $0.checkpoint.every = 7 },
                               checkpoint: url, acceptInexact: false) { notes.append($0) }
        #expect(notes == ["resume: checkpoint.every: 100 in the checkpoint, 7 in this run (allowed)",
                          "resume: training.max_steps: 600 in the checkpoint, 900 in this run (allowed)"])
    }

    @Test func exactnessChangesNeedTheFlag() throws {
        let changed = fields { $0.training.lr = 3e-4; $0.training.seed = 1 }
        #expect(throws: TrainingError.self) {
            try ResumeCheck.verify(saved: fields(), current: changed, checkpoint: url, acceptInexact: false) { _ in }
        }
        var notes: [String] = []
        try ResumeCheck.verify(saved: fields(), current: changed, checkpoint: url, acceptInexact: true) { notes.append($0) }
        #expect(notes.count == 1)
        #expect(notes[0].contains("training.lr") && notes[0].contains("training.seed") && notes[0].contains("no longer an exact continuation"))
    }

    @Test func modelAndTokenizerChangesAreNeverAccepted() {
        for current in [fields { $0.model.nLayer = 9 }, fields().merging(["tokenizer": "other"]) { $1 }] {
            #expect(throws: TrainingError.self) {
                try ResumeCheck.verify(saved: fields(), current: current, checkpoint: url, acceptInexact: true) { _ in }
            }
        }
    }
}
