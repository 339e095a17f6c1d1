import Data
import Foundation

/// The data parsers: token shards, tokenizer files and fine-tuning JSONL.
enum DataFuzzing {
    /// Opens the input as a token shard and reads every token it declares.
    static func shard(_ input: Data, scratch: URL) -> FuzzOutcome {
        let url = scratch.appendingPathComponent("fuzz.bin")
        input.writeScratch(to: url)
        do {
            let shard = try TokenShard(url: url)
            var checks = Checks()
            checks.expect(TokenShard.headerBytes + 2 * shard.count == input.count, "\(shard.count) tokens in a \(input.count)-byte file")
            var sum = 0
            for i in 0..<shard.count { sum &+= Int(shard[i]) }
            return checks.outcome("\(shard.count) tokens, sum \(sum)")
        } catch let error as DataError {
            return .rejected(error.message)
        } catch {
            return .broken("untyped error \(type(of: error)): \(error)")
        }
    }

    /// Loads vocab.json (the bytes before the first NUL) and merges.txt (the rest); an accepted
    /// tokenizer must encode and decode text back to the same bytes.
    static func tokenizer(_ input: Data, scratch: URL) -> FuzzOutcome {
        let (vocab, rest) = input.splitAtNUL()
        vocab.writeScratch(to: scratch.appendingPathComponent(BPETokenizer.vocabFileName))
        Data(rest.joined(separator: [0])).writeScratch(to: scratch.appendingPathComponent(BPETokenizer.mergesFileName))
        do {
            let tokenizer = try BPETokenizer.load(from: scratch)
            var checks = Checks()
            for text in [Array("To be, or not to be: that is the question.\n".utf8), Array(input.prefix(256))] {
                let tokens = tokenizer.encode(bytes: text)
                checks.expect(tokens.allSatisfy { $0 >= 0 && Int($0) < tokenizer.vocabSize }, "a token id is outside the vocabulary")
                checks.expect(tokenizer.decode(tokens) == text, "encode then decode does not give the text back")
            }
            return checks.outcome("vocab \(tokenizer.vocabSize), \(tokenizer.merges.count) merges")
        } catch let error as DataError {
            return .rejected(error.message)
        } catch {
            return .broken("untyped error \(type(of: error)): \(error)")
        }
    }

    /// Reads the input as instruction records and as classification records.
    static func finetune(_ input: Data, scratch: URL) -> FuzzOutcome {
        let url = scratch.appendingPathComponent("fuzz.jsonl")
        input.writeScratch(to: url)
        var summary: [String] = []
        var rejections: [String] = []
        do {
            summary.append("\(try FinetuneRecords.instructions(path: url.path).count) instruction records")
        } catch {
            rejections.append(error.message)
        }
        do {
            let records = try FinetuneRecords.classifications(path: url.path)
            var checks = Checks()
            checks.expect(records.allSatisfy { $0.line >= 1 && !$0.text.isEmpty && !$0.label.isEmpty }, "a record lacks its line, text or label")
            if case .broken(let why) = checks.outcome("") { return .broken(why) }
            summary.append("\(records.count) classification records")
        } catch {
            rejections.append(error.message)
        }
        return summary.isEmpty ? .rejected(rejections.joined(separator: " / ")) : .accepted(summary.joined(separator: ", "))
    }
}
