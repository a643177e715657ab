package epcc

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/sync/singleflight"
)

// DefaultBaseURL is the US East region of Elastic Path Commerce Cloud.
const DefaultBaseURL = "https://useast.api.elasticpath.com"

const (
	defaultRequestTimeout  = 30 * time.Second
	defaultMaxRetries      = 4
	defaultRetryWaitMin    = 500 * time.Millisecond
	defaultRetryWaitMax    = 30 * time.Second
	defaultRateLimit       = 20
	defaultPollInterval    = 250 * time.Millisecond
	defaultPollMaxInterval = 10 * time.Second
	defaultReadCacheTTL    = 5 * time.Second
	defaultThrottleTimeout = 10 * time.Minute

	userAgentProduct = "terraform-provider-elasticpath-client"
)

// Config holds everything New needs. Zero values select the defaults.
type Config struct {
	BaseURL         string        // default DefaultBaseURL; trailing slash tolerated
	ClientID        string        // required
	ClientSecret    string        // required; never logged
	BetaFeatures    string        // sent as EP-Beta-Features header when non-empty
	RequestTimeout  time.Duration // per attempt; default 30s
	MaxRetries      int           // retries after the first attempt; 0 → default 4; negative → no retries
	RetryWaitMin    time.Duration // default 500ms
	RetryWaitMax    time.Duration // default 30s
	RateLimit       float64       // client-side requests per second; 0 → default 20; negative → unlimited
	UserAgent       string        // appended to the default product token
	PollInterval    time.Duration // first wait-poll delay; default 250ms
	PollMaxInterval time.Duration // wait-poll cap; default 10s
	ReadCacheTTL    time.Duration // how long GetJob may reuse a promotion's job listing; default 5s; negative disables
	HTTPClient      *http.Client  // optional base client; its Transport is used under retryablehttp
	// HandOff has the client count the requests that the process run before it from the same working directory
	// sent to the store in its last second, and leave its own for the next (handoffFile): Terraform runs the
	// provider's processes one after another, the apply's right after the plan's.
	HandOff bool
	// ThrottleTimeout bounds how long a request keeps retrying 429s when its context has no deadline;
	// with a deadline, 429s are retried until it. Default 10m.
	ThrottleTimeout time.Duration
}

// Client talks to one Elastic Path store. It is safe for concurrent use.
type Client struct {
	cfg       Config
	baseURL   string
	userAgent string
	http      *retryablehttp.Client
	limits    *budgets

	// now is the clock, replaceable in tests (token expiry).
	now func() time.Time

	tokenMu  sync.Mutex
	token    string
	tokenExp time.Time
	tokenSF  singleflight.Group

	listSF  singleflight.Group
	cacheMu sync.Mutex
	cache   map[PromotionRef]cachedListing
	gen     map[PromotionRef]uint64

	lockMu sync.Mutex
	locks  map[PromotionRef]*promotionLock
}

// ValidateBaseURL accepts https URLs, and http URLs only for loopback hosts:
// the client secret and bearer tokens would otherwise travel in clear text.
func ValidateBaseURL(raw string) error {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return errors.New("base URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("base URL %q does not parse: %w", raw, err)
	}
	switch strings.ToLower(u.Scheme) {
	case "https", "http":
	case "":
		return fmt.Errorf("base URL %q has no scheme: use https://, for example %s", raw, DefaultBaseURL)
	default:
		return fmt.Errorf("base URL %q uses scheme %q: only https:// (or http:// to a loopback address) is supported", raw, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("base URL %q has no host", raw)
	}
	if u.User != nil {
		return fmt.Errorf("base URL %q must not carry user information", raw)
	}
	if u.RawQuery != "" || u.ForceQuery {
		return fmt.Errorf("base URL %q must not have a query string", raw)
	}
	if u.Fragment != "" {
		return fmt.Errorf("base URL %q must not have a fragment", raw)
	}
	if strings.EqualFold(u.Scheme, "http") && !isLoopbackHost(u.Hostname()) {
		return fmt.Errorf("base URL %q uses plain http:// to a non-loopback host: the client secret and access tokens would travel in clear text; use https:// (http:// is only allowed for localhost, 127.0.0.0/8 and ::1)", raw)
	}
	return nil
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// New checks cfg, applies the defaults and returns a ready client. No request
// is made: credentials are first used by the first API call.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimSpace(cfg.BaseURL)
	if err := ValidateBaseURL(cfg.BaseURL); err != nil {
		return nil, err
	}
	var missing []string
	if strings.TrimSpace(cfg.ClientID) == "" {
		missing = append(missing, "client ID")
	}
	if strings.TrimSpace(cfg.ClientSecret) == "" {
		missing = append(missing, "client secret")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("elastic path client: missing %s (client_credentials need both)", strings.Join(missing, " and "))
	}
	applyDefaults(&cfg)

	c := &Client{
		cfg:       cfg,
		baseURL:   strings.TrimRight(cfg.BaseURL, "/"),
		userAgent: userAgentProduct,
		now:       time.Now,
		cache:     map[PromotionRef]cachedListing{},
		gen:       map[PromotionRef]uint64{},
		locks:     map[PromotionRef]*promotionLock{},
	}
	if ua := strings.TrimSpace(cfg.UserAgent); ua != "" {
		c.userAgent += " " + ua
	}
	handoff := ""
	if cfg.HandOff {
		handoff = handoffFile(c.baseURL, cfg.ClientID)
	}
	c.limits = newBudgets(cfg.RateLimit, handoff)
	c.http = c.newRetryClient()
	return c, nil
}

func applyDefaults(cfg *Config) {
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = defaultRequestTimeout
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = defaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.RetryWaitMin <= 0 {
		cfg.RetryWaitMin = defaultRetryWaitMin
	}
	if cfg.RetryWaitMax <= 0 {
		cfg.RetryWaitMax = defaultRetryWaitMax
	}
	if cfg.RetryWaitMax < cfg.RetryWaitMin {
		cfg.RetryWaitMax = cfg.RetryWaitMin
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = defaultRateLimit
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = defaultPollInterval
	}
	if cfg.PollMaxInterval <= 0 {
		cfg.PollMaxInterval = defaultPollMaxInterval
	}
	if cfg.PollMaxInterval < cfg.PollInterval {
		cfg.PollMaxInterval = cfg.PollInterval
	}
	if cfg.ReadCacheTTL == 0 {
		cfg.ReadCacheTTL = defaultReadCacheTTL
	}
	if cfg.ThrottleTimeout <= 0 {
		cfg.ThrottleTimeout = defaultThrottleTimeout
	}
}
