import Crypto
import Data
import Foundation
import RunConfig

/// A Hugging Face `tokenizer.json` holding GPT-2's byte-level BPE, turned into the vocab.json +
/// merges.txt pair our tokenizer reads. transformers 5 saves tokenizers as tokenizer.json only,
/// so a GPT-2 directory written by `save_pretrained` may have no vocab.json.
enum TokenizerJSON {
    /// Writes vocab.json and merges.txt for `url` (a tokenizer.json) into a directory named after
    /// its SHA-256 under the temporary directory, and returns that directory.
    static func extract(_ url: URL) throws -> URL {
        let path = url.path
        let fail = { (what: String) in TrainingError("\(path): \(what); init_from needs GPT-2's byte-level BPE (vocab.json + merges.txt, or a tokenizer.json of that kind)") }
        guard let data = FileManager.default.contents(atPath: path),
              let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw fail("cannot read it as JSON")
        }
        guard let model = json["model"] as? [String: Any], model["type"] as? String == "BPE",
              var vocab = model["vocab"] as? [String: Int], let rawMerges = model["merges"] as? [Any] else {
            throw fail("the model is not BPE with a vocab and merges")
        }
        let pre = json["pre_tokenizer"] as? [String: Any]
        guard pre?["type"] as? String == "ByteLevel", pre?["add_prefix_space"] as? Bool != true, json["normalizer"] is NSNull || json["normalizer"] == nil else {
            throw fail("the pre-tokenizer is not GPT-2's ByteLevel without a prefix space, or there is a normalizer")
        }
        for case let token as [String: Any] in json["added_tokens"] as? [Any] ?? [] {
            if let content = token["content"] as? String, let id = token["id"] as? Int { vocab[content] = id }
        }
        var merges = "#version: 0.2\n"
        for merge in rawMerges {
            // tokenizers writes a merge as "a b" (older files) or as ["a", "b"].
            if let pair = merge as? [String], pair.count == 2 {
                merges += pair[0] + " " + pair[1] + "\n"
            } else if let line = merge as? String {
                merges += line + "\n"
            } else {
                throw fail("a merge is neither \"a b\" nor [\"a\", \"b\"]")
            }
        }
        let digest = SHA256.hash(data: data).prefix(8).map { String(format: "%02x", $0) }.joined()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-tokenizer-\(digest)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try JSONSerialization.data(withJSONObject: vocab, options: [.sortedKeys])
                .write(to: directory.appendingPathComponent(BPETokenizer.vocabFileName), options: .atomic)
            try Data(merges.utf8).write(to: directory.appendingPathComponent(BPETokenizer.mergesFileName), options: .atomic)
        } catch {
            throw TrainingError("\(directory.path): cannot write the tokenizer taken from \(path) (\(error.localizedDescription)); check the temporary directory")
        }
        return directory
    }
}
