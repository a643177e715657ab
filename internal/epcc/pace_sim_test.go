package epcc_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
	"github.com/epcc-community/terraform-provider-elasticpath/internal/epccsim"
)

// A code_export reports no progress: the first of a process's run is polled on elapsed time alone, the next
// one expects its end from the first and polls far less, and both are seen ending.
func TestSimExportExpectsItsEndFromTheFirst(t *testing.T) {
	e := newSimEnv(t, epccsim.Options{Clock: epccsim.NewScaledClock(1), QueueDelay: 20 * time.Millisecond,
		ExportDuration: 600 * time.Millisecond}, func(cfg *epcc.Config) {
		cfg.PollInterval, cfg.PollMaxInterval = 10*time.Millisecond, time.Second
	})
	ref := e.promotion(t, simCtx(t), epcc.RulePromotions, false)
	listings := func() int {
		return e.sim.RequestCount(http.MethodGet, "/v2/"+string(ref.API)+"/"+ref.ID+"/jobs")
	}
	var polls [2]int
	for i := range polls {
		job, err := e.client.StartJob(simCtx(t), ref, epcc.CreateJobRequest{Type: epcc.JobTypeExport, Name: "export"})
		if err != nil {
			t.Fatal(err)
		}
		before := listings()
		final, err := e.client.WaitJob(simCtx(t), ref, job.ID, nil)
		if err != nil || final.Status != epcc.StatusCompleted {
			t.Fatalf("export %d: %v, %+v", i, err, final)
		}
		polls[i] = listings() - before
	}
	t.Logf("polls: first export %d, second %d", polls[0], polls[1])
	if polls[1] >= polls[0] {
		t.Errorf("the second export took %d polls, the first %d: it expected nothing from the first", polls[1], polls[0])
	}
}
