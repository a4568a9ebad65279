-- 0003: the resource limits a run's loader containers were started with (memory, CPUs, processes),
-- as a JSON object, so that a restarted or resumed run gets the same ones. '{}': the defaults.
ALTER TABLE runs ADD COLUMN limits_json TEXT NOT NULL DEFAULT '{}';
