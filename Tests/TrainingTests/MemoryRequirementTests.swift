import Foundation
import GPT
import RunConfig
import Testing
import Training

/// The start-up memory estimate: exact sizes of what a rank allocates, overflow refused, and a
/// run that does not fit refused with one line naming both figures.
@Suite struct MemoryRequirementTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func estimateIsSixteenBytesPerParameterPlusActivations() throws {
        let config = try ConfigLoader.load(path: Self.root.appendingPathComponent("configs/gpt-small.json").path, overrides: ["distributed.exact=false"])
        let estimate = try MemoryRequirement(config: config)
        let model = config.model
        let parameters = ParameterLayout(config: model).totalCount
        #expect(estimate.parameters == parameters)
        #expect(estimate.stateBytes == 16 * parameters)
        #expect(estimate.activationBytes == GPTModel.activationBytes(config: model, batch: config.training.microBatch, sequence: model.blockSize))
        let inference = try MemoryRequirement(model: model, batch: 1, sequence: model.blockSize, optimizer: false)
        #expect(inference.stateBytes == 8 * parameters)
    }

    @Test func runThatDoesNotFitIsRefusedNamingBothFigures() throws {
        var config = TrainConfig()
        config.model.nLayer = 96
        config.model.nEmbd = 12288
        config.model.nHead = 96
        let estimate = try MemoryRequirement(config: config)
        #expect(estimate.parameters > 170_000_000_000)
        let machine = AvailableMemory(bytes: 64 << 30, source: "MemAvailable in /proc/meminfo")
        do {
            try estimate.checkFits(ranks: 2, available: machine)
            Issue.record("a 175G-parameter model fitted in 64 GiB")
        } catch {
            #expect(error.location == "model")
            let perRank = MemoryRequirement.text(bytes: estimate.totalBytes), total = MemoryRequirement.text(bytes: 2 * estimate.totalBytes)
            #expect(total.hasSuffix("TiB"))
            for word in ["estimated \(total)", "2 ranks × \(perRank)", "only 64.0 GiB is available (MemAvailable in /proc/meminfo)"] {
                #expect(error.message.contains(word), "'\(word)' missing from: \(error.message)")
            }
            #expect(!error.description.contains("\n"))
        }
        let tiny = try MemoryRequirement(config: TrainConfig())
        try tiny.checkFits(ranks: 8, available: machine)
        try estimate.checkFits(ranks: 2, available: nil)  // unknown memory: nothing to refuse on
    }

    @Test func sizesThatOverflowAreAConfigError() {
        for (field, value) in [("model.n_layer", "1000000000000"), ("model.block_size", "4611686018427387904"), ("training.micro_batch", "4611686018427387904")] {
            #expect(throws: ConfigError.self, "\(field)=\(value)") {
                try ConfigLoader.decode(Data("{}".utf8), source: "test.json", overrides: ["model.n_embd=1000000000", "model.n_head=1", "\(field)=\(value)"])
            }
        }
    }

    @Test func availableMemoryIsReadOnLinux() throws {
        let available = try #require(AvailableMemory.current(), "no /proc/meminfo")
        #expect(available.bytes > 0)
    }
}
