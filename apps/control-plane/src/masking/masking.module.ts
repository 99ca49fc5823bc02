import { Module } from '@nestjs/common';
import { PolicyModule } from '../policy/policy.module';
import { MaskingRepository } from './masking.repository';
import { MaskingResolver } from './masking.resolver';
import { MaskingService } from './masking.service';

@Module({
  imports: [PolicyModule],
  providers: [MaskingRepository, MaskingService, MaskingResolver],
})
export class MaskingModule {}
