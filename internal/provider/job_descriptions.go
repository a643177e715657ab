package provider

// Attribute descriptions shared by the resource and the data source schemas.
const (
	descID              = "The job's ID, assigned by Elastic Path."
	descPromotionID     = "ID of the Promotions Standard promotion the job runs on. Exactly one of `promotion_id` and `rule_promotion_id` is set."
	descRulePromotionID = "ID of the Rule Promotion (Promotions Builder) the job runs on. Exactly one of `promotion_id` and `rule_promotion_id` is set."
	descJobType         = "`code_generate` creates codes; `code_export` exports the promotion's existing codes to a CSV file."
	descName            = "A name for the job, at most 50 characters."
	descParameters      = "How codes are generated. Required with `code_generate`, refused with `code_export`."
	descNumberOfCodes   = "How many codes to generate, 1 to 1000. A promotion holds at most 1000 codes in all: a job that would pass that ends `failed`."
	descMaxUsesPerCode  = "How many times each code can be used; 0 makes the codes unusable. Unset means unlimited."
	descConsumeUnit     = "What one use of a code is: `per_item` or `per_cart` with `promotion_id`; `per_application` or `per_checkout` with `rule_promotion_id`."
	descCodePrefix      = "Text put before each generated code, e.g. `SUMMER-`."
	descCodeLength      = "Characters in each code after the prefix, 8 to 16 (default 8). A dash follows every fourth character."
	descStatus          = "The job's status: `pending`, `processing`, `completed`, `failed`, `cancelling` or `cancelled`."
	descError           = "The error a failed job reported, e.g. `codes limit exceeded`."
	descGeneratedCodes  = "How many codes the job generated (`code_generate` jobs)."
	descDeletedCodes    = "How many codes were removed when the job was cancelled."
	descCreatedAt       = "When the job was created (RFC 3339)."
	descUpdatedAt       = "When the job last changed (RFC 3339)."
	// The resource keeps the URL it was given, so that a refresh of an unchanged job changes nothing.
	descFileURL = "For a completed `code_export` job: the signed URL of its CSV file, as fetched when the job " +
		"completed or was imported. It is kept as is afterwards, so plans stay empty, and it expires after a " +
		"lifetime Elastic Path sets and does not document: for a fresh URL, read the `elasticpath_promotion_jobs` data " +
		"source. Sensitive: the URL alone grants access to every code of the promotion."
	// The data source is read anew on each run, so it hands out a fresh URL each time.
	descFileURLFresh = "For a completed `code_export` job: a signed URL of its CSV file, fetched anew on every " +
		"read, so it is valid for the URL's lifetime from this run on. Sensitive: the URL alone grants access to " +
		"every code of the promotion."

	// The filters of the data source and the list resource.
	descFilterJobType = "Only jobs of this type: `code_generate` or `code_export`."
	descFilterStatus  = "Only jobs with this status: `pending`, `processing`, `completed`, `failed`, `cancelling` or `cancelled`."
	descFilterName    = "Only jobs with exactly this name."

	// The codes, as the data source and the ephemeral resource return them.
	descCodesPromotionID     = "ID of the Promotions Standard promotion whose codes are read. Exactly one of `promotion_id` and `rule_promotion_id` is set."
	descCodesRulePromotionID = "ID of the Rule Promotion whose codes are read. Exactly one of `promotion_id` and `rule_promotion_id` is set."
	descCodesPrefix          = "Only codes that start with this text, compared without regard to case (codes are " +
		"case-insensitive in Elastic Path)."
	descCodesTotal      = "How many codes `codes` holds."
	descCodes           = "The codes, in the order the API lists them."
	descCode            = "The code customers enter."
	descCodeMaxUses     = "How often the code may be used; null when unlimited."
	descCodeUses        = "The uses the API reports for the code (the uses left)."
	descCodeConsumeUnit = "What one use is: `per_checkout`, `per_application`, `per_cart` or `per_item`."
	descCodeCreatedAt   = "When the code was made (RFC 3339)."
)
