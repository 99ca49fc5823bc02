import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Authenticated, Roles } from '../auth/roles.decorator';
import { Role } from '../common/enums';
import { CreateMaskingRuleInput, DeleteMaskingRuleInput, UpdateMaskingRuleInput } from './dto/masking-rule.inputs';
import { MaskingPreviewObject, MaskingRuleObject } from './dto/masking-rule.object';
import { MaskingService } from './masking.service';

@Resolver(() => MaskingRuleObject)
@Roles(Role.ADMIN)
export class MaskingResolver {
  constructor(private readonly service: MaskingService) {}

  @Query(() => [MaskingRuleObject], { description: 'Every masking rule; with `connection`, the rules that apply to it (its own and the global ones), in the order workers try them.' })
  @Roles(Role.APPROVER, Role.AUDITOR)
  maskingRules(@Args('connection', { type: () => String, nullable: true }) connection?: string | null): Promise<MaskingRuleObject[]> {
    return this.service.list(connection ?? undefined);
  }

  @Mutation(() => MaskingRuleObject)
  createMaskingRule(@Args('input') input: CreateMaskingRuleInput): Promise<MaskingRuleObject> {
    return this.service.create(input);
  }

  @Mutation(() => MaskingRuleObject)
  updateMaskingRule(@Args('input') input: UpdateMaskingRuleInput): Promise<MaskingRuleObject> {
    return this.service.update(input);
  }

  @Mutation(() => MaskingRuleObject, { description: 'Deletes the rule; returns it as it was.' })
  deleteMaskingRule(@Args('input') input: DeleteMaskingRuleInput): Promise<MaskingRuleObject> {
    return this.service.delete(input);
  }

  // Any caller may preview: it masks only the text the caller sends, with the connection's rules.
  @Query(() => MaskingPreviewObject, { description: "Masks `text` with the connection's detectors, rules and hash key, as its workers would. With `column`, that column's rule applies." })
  @Authenticated()
  previewMasking(
    @Args('connection') connection: string,
    @Args('text') text: string,
    @Args('column', { type: () => String, nullable: true }) column?: string | null,
  ): Promise<MaskingPreviewObject> {
    return this.service.preview(connection, text, column ?? undefined);
  }
}
