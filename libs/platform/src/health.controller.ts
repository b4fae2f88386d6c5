import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { MessagingLifecycle } from '@omni/messaging';
import { withTimeout } from '@omni/resilience';
import { SkipThrottle } from '@nestjs/throttler';
import { NOT_RATE_LIMITED } from './rate-limit';

/**
 * /health/live (process up), /health/ready (Kafka, consumers joined, database). Never rate-limited.
 * Served on the public port (Kubernetes probes) and on the admin port, which also has /metrics (admin-server.ts).
 */
@SkipThrottle(NOT_RATE_LIMITED)
@Controller()
export class OpsController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    @Optional() private readonly messaging?: MessagingLifecycle,
    @Optional() @Inject(getConnectionToken()) private readonly mongo?: Connection,
  ) {}

  @Get('health/live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @HealthCheck()
  ready() {
    const checks = [];
    const messaging = this.messaging;
    if (messaging) {
      checks.push(() =>
        this.indicator.check('kafka').attempt(async () => {
          await messaging.ping();
          if (!messaging.consumersReady) throw new Error('consumers have not joined their groups yet');
          return {};
        }).withTimeout(3_000),
      );
    }
    const mongo = this.mongo;
    if (mongo) {
      checks.push(() =>
        this.indicator.check('database').attempt(async () => {
          const db = mongo.db;
          if (!db) throw new Error('not connected');
          await withTimeout(db.admin().ping(), 2_000, 'database ping');
          return {};
        }).withTimeout(3_000),
      );
    }
    return this.health.check(checks);
  }
}
