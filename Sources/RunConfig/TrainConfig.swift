import GPT

/// Everything one run needs, as read from its JSON config file. Every default lives here, once.
///
/// Config files hold only what differs from these defaults; an unknown key is an error.
public struct TrainConfig: Codable, Sendable, Equatable {
    /// Model dimensions (GPT-2 architecture).
    public var model = GPTConfig(nLayer: 6, nHead: 6, nEmbd: 384, blockSize: 256, vocabSize: 8192)
    /// Where the text comes from and where its tokenizer and shards go.
    public var data = DataSection()
    /// Optimization and batch settings.
    public var training = TrainingSection()
    /// Validation settings.
    public var eval = EvalSection()
    /// Where and how often checkpoints are written.
    public var checkpoint = CheckpointSection()
    /// All-reduce settings for data-parallel runs.
    public var distributed = DistributedSection()
    /// Fine-tuning (`trainer finetune`); ignored by pre-training. Optional so that the state.json
    /// of checkpoints written before this section existed still decodes (Finetune/FinetuneConfig.swift).
    public var finetune: FinetuneSection? = FinetuneSection()

    public init() {}

    /// The `data` section.
    public struct DataSection: Codable, Sendable, Equatable {
        /// The corpus, relative to the working directory: a text file (one document), a JSONL file (one
        /// {"text": ...} document per line), either gzip-compressed (.gz), or a folder of .txt, .jsonl
        /// and .gz files read recursively in name order. Empty: use `dir` as it is (prepared or llm.c shards).
        public var corpus = "data/shakespeare"
        /// Folder for the tokenizer (vocab.json, merges.txt), the token shards and prepared.json; or a
        /// folder of llm.c shards (*train*.bin, *val*.bin) with GPT-2's vocab.json and merges.txt.
        public var dir = "data/prepared/shakespeare-8k"
        /// Share held out for validation: the last part of each text document's tokens, and a share of
        /// each JSONL file's documents chosen by a hash of their position. Unused with `val_corpus`.
        public var valFraction = 0.1
        /// A separate validation corpus (same formats as `corpus`); empty: hold out `val_fraction` of the corpus.
        public var valCorpus = ""
        /// MiB of corpus text the tokenizer is trained on: all of a smaller corpus, else evenly spaced slices.
        public var tokenizerSampleMb = 64
        /// MiB of corpus each rank encodes at a time while preparing; a rank's memory is a few times this.
        public var prepareChunkMb = 4
        public init() {}
        enum CodingKeys: String, CodingKey {
            case corpus, dir, valFraction = "val_fraction", valCorpus = "val_corpus", tokenizerSampleMb = "tokenizer_sample_mb"
            case prepareChunkMb = "prepare_chunk_mb"
        }
    }

    /// The `training` section.
    public struct TrainingSection: Codable, Sendable, Equatable {
        /// Tokens per optimizer step across all ranks (micro_batch × block_size × ranks × accumulation).
        public var batchTokens = 8192
        /// Sequences per forward/backward pass on one rank.
        public var microBatch = 4
        /// Optimizer steps in the whole run.
        public var maxSteps = 600
        /// Peak learning rate, reached at the end of warmup.
        public var lr = 1e-3
        /// Learning rate at the end of the decay.
        public var minLr = 1e-4
        /// Steps of linear warmup from 0 to `lr`.
        public var warmupSteps = 50
        /// Decay after warmup: "cosine", "linear", "constant" or "wsd" (warmup, stable, decay).
        public var schedule = "cosine"
        /// With schedule "wsd": the share of max_steps at the end over which the rate falls linearly to min_lr.
        public var decayFraction = 0.2
        /// "adamw" for every parameter, or "muon": Muon on the blocks' hidden matrices at `lr`, AdamW
        /// on the rest (embeddings, head, gains, biases) at `adam_lr` (Training/Loop/MuonGroup.swift).
        public var optimizer = "adamw"
        /// Peak learning rate of the AdamW group under "muon"; 0 (the default) takes lr / 4.
        public var adamLr = 0.0
        /// Muon's momentum coefficient (Nesterov), torch.optim.Muon's default.
        public var muonMomentum = 0.95
        /// Decoupled AdamW weight decay on matrices and embeddings (not on biases or LayerNorm).
        public var weightDecay = 0.1
        /// AdamW first-moment decay.
        public var beta1 = 0.9
        /// AdamW second-moment decay.
        public var beta2 = 0.95
        /// Clip the global gradient norm to this value; 0 disables clipping.
        public var gradClip = 1.0
        /// Seeds weight initialization and the sample order.
        public var seed = 1337
        /// Print a line to stdout every this many steps.
        public var logEvery = 10
        /// Stop the run when more than this many steps in a row had a non-finite loss or gradient.
        public var maxSkippedSteps = 5
        /// Weights to start pre-training from; empty initializes randomly from `seed`. A checkpoint of
        /// this trainer (step or run directory) or a Hugging Face GPT-2 directory (config.json,
        /// model.safetensors, vocab.json, merges.txt: `save_pretrained` of a GPT2LMHeadModel and its
        /// tokenizer). The model section becomes the pre-trained model's and the data is tokenized
        /// with its tokenizer (HuggingFace/PretrainedWeights.swift).
        public var initFrom = ""
        public init() {}
        enum CodingKeys: String, CodingKey {
            case batchTokens = "batch_tokens", microBatch = "micro_batch", maxSteps = "max_steps", lr
            case minLr = "min_lr", warmupSteps = "warmup_steps", schedule, weightDecay = "weight_decay"
            case beta1, beta2, gradClip = "grad_clip", seed, logEvery = "log_every", maxSkippedSteps = "max_skipped_steps"
            case initFrom = "init_from"
            case decayFraction = "decay_fraction", optimizer, adamLr = "adam_lr", muonMomentum = "muon_momentum"
        }
    }

    /// The `eval` section.
    public struct EvalSection: Codable, Sendable, Equatable {
        /// Measure validation loss every this many steps (and at the end); 0 disables it.
        public var every = 50
        /// Micro-batches of validation data per evaluation, shared across ranks.
        public var batches = 20
        /// Zero- and few-shot task files scored at every evaluation (`trainer evaluate`'s scoring).
        public var tasks: [EvalTask] = []
        public init() {}
    }

    /// The `checkpoint` section.
    public struct CheckpointSection: Codable, Sendable, Equatable {
        /// Run directory: metrics.jsonl, status and step-NNNNNNN checkpoints go here.
        public var dir = "checkpoints/gpt-small"
        /// Save every this many steps (and at the end); 0 saves only at the end.
        public var every = 100
        /// Keep this many most recent checkpoints, plus the best by validation loss.
        public var keep = 3
        /// Seconds a checkpoint save may take before the watchdog ends the job. 0 (the default)
        /// allows max(distributed.watchdog_s, 60 s + 1 s per 20 MB written), so saving a large
        /// model never trips the step watchdog while a save that really hangs is still reported.
        public var saveTimeoutS = 0.0
        public init() {}
        enum CodingKeys: String, CodingKey { case dir, every, keep, saveTimeoutS = "save_timeout_s" }
    }

    /// The `distributed` section.
    public struct DistributedSection: Codable, Sendable, Equatable {
        /// Gradient all-reduce bucket size in MiB.
        public var bucketMb = 8.0
        /// Start each bucket's all-reduce during backward as soon as its gradients are final:
        /// true, false, or "auto" (the default: only when the job spans machines; `OverlapSetting`).
        public var overlap = OverlapSetting.auto
        /// Whether this process's job overlaps: `overlap` resolved against the launcher's environment.
        public var overlapsBackward: Bool { overlap.overlaps(in: .current) }
        /// End the job when a rank makes no progress for this many seconds; 0 disables the watchdog.
        public var watchdogS = 300.0
        /// Sum gradients, losses and evaluation figures exactly (`ExactSum`: integer fixed point,
        /// 16 bytes per gradient element), so that weights are bit-identical for any ranks × threads
        /// layout and across resumes on another rank count. On by default, as trustworthy runs need;
        /// false gives back its cost (README.md, "Exact sums") for sums that are right only to rounding.
        public var exact = true
        /// ZeRO-1: each rank keeps the optimizer state of one contiguous shard of the parameters;
        /// gradients are reduce-scattered and the updated shards all-gathered (Training/Loop/
        /// OptimizerSharding.swift). Optimizer memory per rank falls from 8 bytes per parameter to
        /// 8/ranks; checkpoints are the same either way.
        public var shardOptimizer = false
        public init() {}
        enum CodingKeys: String, CodingKey {
            case bucketMb = "bucket_mb", overlap, watchdogS = "watchdog_s", exact, shardOptimizer = "shard_optimizer"
        }
    }
}
