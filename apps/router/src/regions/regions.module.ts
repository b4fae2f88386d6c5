import { Global, Module } from '@nestjs/common';
import { PeerSendCheck } from './peer-send-check';
import { PeerSendsConsumer } from './peer-sends.consumer';
import { PeerWatch } from './peer-watch';
import { RegionDirectory } from './region-directory';
import { RegionsController } from './regions.controller';
import { TenantConfigSync } from './tenant-config-sync';

/** Paired regions (ADR 0300): the directory's copy here, the peers' polls, the failover route, the peers' sends, the tenants' configuration. */
@Global()
@Module({
  controllers: [RegionsController],
  providers: [RegionDirectory, PeerWatch, PeerSendsConsumer, PeerSendCheck, TenantConfigSync],
  exports: [RegionDirectory, PeerWatch, PeerSendCheck],
})
export class RegionsModule {}
