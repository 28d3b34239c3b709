-- At most one signing (current) and one published-next tool key: two instances starting for
-- the first time at once both try to create them, and the second insert must fail (the keys
-- module takes that failure as "another instance did it").
CREATE UNIQUE INDEX tool_keys_one_per_active_status ON tool_keys (status)
    WHERE status IN ('current', 'next');
