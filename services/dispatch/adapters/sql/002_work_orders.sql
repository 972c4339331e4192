-- 12345 work orders (工单): the hotline's number and reply due, and a return request waiting for
-- the hotline's decision (退单申请), beside the pending extension and park.
ALTER TABLE assignments ADD COLUMN IF NOT EXISTS work_order_no text;
ALTER TABLE assignments ADD COLUMN IF NOT EXISTS reply_due_at timestamptz;
ALTER TABLE assignments ADD COLUMN IF NOT EXISTS pending_return text;
