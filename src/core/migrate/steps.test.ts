import { describe, expect, it } from 'vitest';
import { applySchemaEvent, type SchemaEventLike, type SchemaStep } from './steps.js';

const SM = 'tbyte/users-db';
const fold = (events: SchemaEventLike[]): SchemaStep[] => events.reduce<SchemaStep[]>((steps, e) => applySchemaEvent(steps, e), []);

describe('applySchemaEvent', () => {
  it('keeps the last step of each migration, in the order they first ran', () => {
    const steps = fold([
      { type: 'SchemaExpandStarted', at: 1, schemaMigration: SM, migration: '0000_init', phase: 'expand', revision: 1 },
      { type: 'SchemaExpanded', at: 2, schemaMigration: SM, migration: '0000_init', phase: 'expand', revision: 1 },
      { type: 'SchemaExpandStarted', at: 3, schemaMigration: SM, migration: '0001_email_verified', phase: 'expand', revision: 2 },
      { type: 'SchemaExpanded', at: 4, schemaMigration: SM, migration: '0001_email_verified', phase: 'expand', revision: 2 },
      { type: 'SchemaBackfilled', at: 5, schemaMigration: SM, migration: '0001_email_verified', phase: 'backfill', revision: 2 },
      { type: 'SchemaContractStarted', at: 6, schemaMigration: SM, migration: '0001_email_verified', phase: 'contract', revision: 2 },
    ]);
    expect(steps).toEqual([
      { schemaMigration: SM, migration: '0000_init', phase: 'expand', state: 'done', revision: 1, at: 2 },
      { schemaMigration: SM, migration: '0001_email_verified', phase: 'contract', state: 'running', revision: 2, at: 6 },
    ]);
    expect(applySchemaEvent(steps, { type: 'SchemaContracted', at: 7, schemaMigration: SM, migration: '0001_email_verified', phase: 'contract', revision: 2 })[1]).toMatchObject({ phase: 'contract', state: 'done', at: 7 });
  });

  it('marks every migration a skipped contract leaves pending, with the reason', () => {
    const steps = fold([
      { type: 'SchemaExpanded', at: 1, schemaMigration: SM, migration: 'a', phase: 'expand', revision: 2 },
      { type: 'SchemaContractSkipped', at: 2, schemaMigration: SM, phase: 'contract', revision: 2, migrations: ['a', 'b'], reason: 'the rollout was aborted' },
    ]);
    expect(steps.map((s) => [s.migration, s.phase, s.state, s.message])).toEqual([
      ['a', 'contract', 'skipped', 'the rollout was aborted'],
      ['b', 'contract', 'skipped', 'the rollout was aborted'],
    ]);
  });

  it('records a failure at its phase, and one before any migration ran under an empty name', () => {
    const steps = fold([
      { type: 'SchemaMigrationFailed', at: 1, schemaMigration: SM, migration: 'a', phase: 'backfill', revision: 3, message: 'lock timeout' },
      { type: 'SchemaMigrationFailed', at: 2, schemaMigration: SM, phase: 'expand', revision: 3, message: 'TBYTE_DATABASE_URL is not set' },
    ]);
    expect(steps).toEqual([
      { schemaMigration: SM, migration: 'a', phase: 'backfill', state: 'failed', revision: 3, at: 1, message: 'lock timeout' },
      { schemaMigration: SM, migration: '', phase: 'expand', state: 'failed', revision: 3, at: 2, message: 'TBYTE_DATABASE_URL is not set' },
    ]);
  });

  it('leaves the steps alone for any other event', () => {
    const steps = fold([{ type: 'SchemaExpanded', at: 1, schemaMigration: SM, migration: 'a', phase: 'expand' }]);
    expect(applySchemaEvent(steps, { type: 'WeightChanged', at: 2, canary: 10 })).toEqual(steps);
  });
});
