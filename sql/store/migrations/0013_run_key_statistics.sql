-- Issue 11: every run counts its own rows, with a small sample.
--
-- A run's queries select its rows by run_id (its lines, outcomes,
-- balances, report rows). A new run id is not in a table's statistics:
-- while the statistics list every run id they sampled as a most common
-- value, PostgreSQL estimates a value absent from them at one row, and
-- the run's checks nested their loops over its whole night (11.6 s and
-- 8.0 s for two checks of 22,000 lines, against milliseconds). Sampling
-- the whole table every night fixed that at a cost that grew with history
-- (0.4 s a night on night 5 of 50,000 sales, 0.5 to 2.9 s on nights 28 to
-- 30): a sample reads up to 30,000 pages, 300 rows per unit of the
-- statistics target (100 by default).
--
-- So the run samples only run_id of the tables it wrote (ANALYZE t
-- (run_id)), and run_id's statistics target is 10: 3,000 rows, at most
-- 3,000 pages, a cost that stops growing once a table holds that many
-- pages. Three thousand rows still see a night among thirty as a few
-- percent of the table (a hundred sampled rows), and a run id rarer than
-- the sample can resolve is estimated at the average run's rows, an
-- overestimate the planner survives. The other columns keep the default
-- target, sampled by autovacuum and by the run when a table is stale
-- (sql/store/statistics.go).
ALTER TABLE lines ALTER COLUMN run_id SET STATISTICS 10;
ALTER TABLE sale_outcomes ALTER COLUMN run_id SET STATISTICS 10;
ALTER TABLE processed_events ALTER COLUMN run_id SET STATISTICS 10;
ALTER TABLE balances ALTER COLUMN run_id SET STATISTICS 10;
ALTER TABLE payout_items ALTER COLUMN run_id SET STATISTICS 10;
ALTER TABLE payout_credits ALTER COLUMN run_id SET STATISTICS 10;
ALTER TABLE rerun_sales ALTER COLUMN run_id SET STATISTICS 10;
ALTER TABLE run_discrepancies ALTER COLUMN run_id SET STATISTICS 10;
ALTER TABLE run_held_sales ALTER COLUMN run_id SET STATISTICS 10;
ALTER TABLE run_names ALTER COLUMN run_id SET STATISTICS 10;
ALTER TABLE run_contract_terms ALTER COLUMN run_id SET STATISTICS 10;
ALTER TABLE run_backlog ALTER COLUMN run_id SET STATISTICS 10;
