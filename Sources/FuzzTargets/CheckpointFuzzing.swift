import Checkpoints
import Foundation
import ModelFiles
import RunConfig
import Training

/// The checkpoint parsers: safetensors files and state.json.
enum CheckpointFuzzing {
    /// Opens the input as a safetensors file and reads every tensor it declares.
    static func safetensors(_ input: Data, scratch: URL) -> FuzzOutcome {
        let url = scratch.appendingPathComponent("fuzz.safetensors")
        input.writeScratch(to: url)
        do {
            let file = try SafetensorsFile(url: url)
            var checks = Checks()
            var bytes = 0
            for e in file.entries {
                let t = try file.tensor(named: e.name)
                checks.expect(t.bytes.count == e.dataOffsets.count, "\(e.name): read \(t.bytes.count) bytes of \(e.dataOffsets.count)")
                checks.expect(e.shape.reduce(1, *) == e.elementCount, "\(e.name): shape \(e.shape) but \(e.elementCount) elements")
                if e.dtype == .f32 {
                    let floats = try file.floats(named: e.name)
                    checks.expect(floats.count == e.elementCount, "\(e.name): \(floats.count) floats of \(e.elementCount)")
                }
                bytes += t.bytes.count
            }
            checks.expect(8 + bytes <= input.count, "tensors claim \(bytes) bytes of a \(input.count)-byte file")
            return checks.outcome("\(file.entries.count) tensors, \(bytes) bytes, \(file.metadata.count) metadata keys")
        } catch {
            return .rejected(error.description)
        }
    }

    /// Decodes the input as state.json; an accepted state must survive its own encoding.
    static func state(_ input: Data) -> FuzzOutcome {
        do {
            let state = try TrainingState.read(input, path: "state.json")
            var checks = Checks()
            let again = try? TrainingState.read(state.encoded(), path: "state.json (re-encoded)")
            checks.expect(again == state, "the re-encoded state does not decode to the same value")
            return checks.outcome("step \(state.step), model \(state.config.model)")
        } catch let error as TrainingError {
            return .rejected(error.description)
        } catch {
            return .broken("untyped error \(type(of: error)): \(error)")
        }
    }
}
