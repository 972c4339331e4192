-- A job done, its attempt closed: the one statement casekit/jobs.py `complete` runs, as a function
-- so that a service's own one-statement write (a timer's events with its job, ADR 0007) settles
-- the job exactly as the worker would. False when the caller no longer holds the lease.
CREATE FUNCTION complete_job(p_job_id bigint, p_lease_token uuid, p_attempt integer, p_detail jsonb DEFAULT NULL)
RETURNS boolean LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    -- The attempt is recorded whoever holds the job now; only the lease holder settles the job.
    UPDATE job_attempts SET finished_at = now(), outcome = 'done', error = NULL, detail = p_detail
    WHERE job_id = p_job_id AND attempt = p_attempt AND finished_at IS NULL;
    UPDATE jobs SET state = 'done', lease_token = NULL, leased_until = NULL, finished_at = now()
    WHERE id = p_job_id AND lease_token = p_lease_token AND state = 'running';
    RETURN FOUND;
END $$;
