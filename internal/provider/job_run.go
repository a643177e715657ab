package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/epcc-community/terraform-provider-elasticpath/internal/epcc"
)

// startJob is the one way every face (the resource, the actions) starts a job: it takes the process-wide lock
// of the promotion, so jobs on one promotion run one at a time, and starts the job through the client's safe
// path (never a second job from an ambiguous request; a job started elsewhere is waited for). With adopt, a
// job the promotion already holds with req's identity is returned instead of a new one (epcc.SameJob). On
// success the caller holds the lock until it stops waiting, and must call release.
func startJob(ctx context.Context, client *epcc.Client, ref epcc.PromotionRef, req epcc.CreateJobRequest,
	deadline jobDeadline, adopt bool) (job *epcc.Job, release func(), diags diag.Diagnostics) {
	release, err := client.LockPromotion(ctx, ref)
	if err != nil {
		detail := fmt.Sprintf("Other jobs of this run on %s were still running when %s. No job was created.",
			ref, deadline.stopped(err))
		if !errors.Is(err, context.Canceled) {
			detail += fmt.Sprintf(" Raise %s or run fewer jobs on one promotion.", deadline.attr)
		}
		diags.AddError("Promotion job not started", detail)
		return nil, nil, diags
	}
	tflog.Info(ctx, "starting promotion job", map[string]any{"job_type": req.Type})
	adopted := false
	if adopt {
		job, adopted, err = client.StartOrAdoptJob(ctx, ref, req)
	} else {
		job, err = client.StartJob(ctx, ref, req)
	}
	if err != nil {
		release()
		diags.AddError("Promotion job not started", startFailureDetail(ref, deadline, err))
		return nil, nil, diags
	}
	if adopted {
		tflog.Info(ctx, "adopted the job the promotion already holds; waiting for it to finish", map[string]any{"job_id": job.ID, "status": job.Status})
	} else {
		tflog.Info(ctx, "promotion job started; waiting for it to finish", map[string]any{"job_id": job.ID})
	}
	return job, release, diags
}

// jobDeadline is what bounds a run of a job (the resource's timeouts.create, or an action's timeout), for the
// words of its errors.
type jobDeadline struct {
	attr    string
	timeout time.Duration
}

// stopped says why a run stopped early: its deadline ran out, or it was interrupted.
func (d jobDeadline) stopped(err error) string {
	if errors.Is(err, context.Canceled) {
		return "the run was interrupted"
	}
	return fmt.Sprintf("%s (%s) ran out", d.attr, d.timeout)
}

// waitForJob waits for a started job to end and returns the last state seen of it, which is the started job
// itself when nothing newer was seen. onProgress (optional) sees every change of status or generated count.
func waitForJob(ctx context.Context, client *epcc.Client, ref epcc.PromotionRef, started epcc.Job,
	onProgress func(epcc.Job)) (epcc.Job, error) {
	last := started
	final, err := client.WaitJob(ctx, ref, started.ID, func(j epcc.Job) {
		last = j
		if onProgress != nil {
			onProgress(j)
		}
	})
	switch {
	case final != nil:
		last = *final
	case jobOf(err) != nil:
		last = *jobOf(err)
	}
	return last, err
}

// progressMessage says where a job stands, in the words a practitioner reads in the terminal.
func progressMessage(job epcc.Job) string {
	msg := fmt.Sprintf("job %s %s", job.ID, job.Status)
	switch {
	case job.Type == epcc.JobTypeGenerate && job.Status == epcc.StatusCompleted && job.Generated != nil:
		msg += fmt.Sprintf(": %d codes generated", *job.Generated)
	case job.Type == epcc.JobTypeGenerate && job.Generated != nil && job.Parameters != nil && job.Parameters.NumberOfCodes != nil:
		msg += fmt.Sprintf(": %d of %d codes", *job.Generated, *job.Parameters.NumberOfCodes)
	case job.Type == epcc.JobTypeGenerate && job.Generated != nil:
		msg += fmt.Sprintf(": %d codes so far", *job.Generated)
	case job.Type == epcc.JobTypeExport && job.Status == epcc.StatusCompleted:
		msg += ": export file ready"
	}
	if job.Error != "" {
		msg += fmt.Sprintf(" (%q)", job.Error)
	}
	return msg
}
