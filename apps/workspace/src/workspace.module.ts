import { Module } from '@nestjs/common';
import { PlatformModule } from '@omni/platform';

/** The workspace app: health and metrics; the bundle and the /api proxy are wired in main.ts (ADR 0700). */
@Module({ imports: [PlatformModule.forRoot('workspace')] })
export class WorkspaceModule {}
