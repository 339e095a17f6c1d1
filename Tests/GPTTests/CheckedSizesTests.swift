import Testing
import GPT

/// The layouts' counting mode (the sizes checked before anything is allocated) equals what their
/// building mode allocates, and reports overflow instead of trapping.
@Test(arguments: [
    (GPTConfig(nLayer: 2, nHead: 2, nEmbd: 32, blockSize: 16, vocabSize: 64), 3, 16),
    (GPTConfig(nLayer: 6, nHead: 6, nEmbd: 384, blockSize: 256, vocabSize: 8192), 4, 256),
    (GPTConfig(nLayer: 12, nHead: 12, nEmbd: 768, blockSize: 1024, vocabSize: 50257), 2, 100),
])
func checkedSizesMatchTheLayouts(config: GPTConfig, batch: Int, sequence: Int) throws {
    let sizes = try #require(GPTModel.checkedSizes(config: config, batch: batch, sequence: sequence))
    #expect(sizes.parameters == ParameterLayout(config: config).totalCount)
    #expect(sizes.activations * MemoryLayout<Float>.stride == GPTModel.activationBytes(config: config, batch: batch, sequence: sequence))
}

@Test func checkedSizesReportOverflow() {
    let huge = GPTConfig(nLayer: 1_000_000_000_000, nHead: 1, nEmbd: 1_000_000_000, blockSize: 1024, vocabSize: 50257)
    #expect(GPTModel.checkedSizes(config: huge, batch: 1, sequence: 1) == nil)
    let longContext = GPTConfig(nLayer: 2, nHead: 2, nEmbd: 32, blockSize: 1 << 40, vocabSize: 64)
    #expect(GPTModel.checkedSizes(config: longContext, batch: 4, sequence: 1 << 40) == nil)
    let negative = GPTConfig(nLayer: -1, nHead: 2, nEmbd: 32, blockSize: 16, vocabSize: 64)
    #expect(GPTModel.checkedSizes(config: negative, batch: 1, sequence: 16) == nil)
}
