import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { Authenticated, Roles } from '../auth/roles.decorator';
import { Role } from '../common/enums';
import { GuardrailDryRunObject } from './dto/guardrail-dry-run.object';
import { GuardrailEvaluationObject } from './dto/guardrail-evaluation.object';
import { CreateGuardrailRuleInput, DeleteGuardrailRuleInput, UpdateGuardrailRuleInput } from './dto/guardrail-rule.inputs';
import { GuardrailRuleObject } from './dto/guardrail-rule.object';
import { GuardrailsService } from './guardrails.service';

@Resolver(() => GuardrailRuleObject)
@Roles(Role.ADMIN)
export class GuardrailsResolver {
  constructor(private readonly service: GuardrailsService) {}

  @Query(() => [GuardrailRuleObject], { description: "Every rule; with `connection`, the rules that apply to it (its own and the global ones)." })
  @Roles(Role.APPROVER, Role.AUDITOR)
  guardrailRules(@Args('connection', { type: () => String, nullable: true }) connection?: string | null): Promise<GuardrailRuleObject[]> {
    return this.service.list(connection ?? undefined);
  }

  // Replays recorded statement text: for those who may read sessions.
  @Query(() => GuardrailDryRunObject, { description: "What the connection's rules, plus an unsaved `rule`, would decide for its last `last` recorded statements." })
  @Roles(Role.APPROVER, Role.AUDITOR)
  dryRunGuardrails(
    @Args('connection') connection: string,
    @Args('last', { type: () => Int, defaultValue: 100 }) last: number,
    @Args('rule', { type: () => CreateGuardrailRuleInput, nullable: true }) rule?: CreateGuardrailRuleInput | null,
  ): Promise<GuardrailDryRunObject> {
    return this.service.dryRun(connection, last, rule ?? undefined);
  }

  @Mutation(() => GuardrailRuleObject)
  createGuardrailRule(@Args('input') input: CreateGuardrailRuleInput): Promise<GuardrailRuleObject> {
    return this.service.create(input);
  }

  @Mutation(() => GuardrailRuleObject)
  updateGuardrailRule(@Args('input') input: UpdateGuardrailRuleInput): Promise<GuardrailRuleObject> {
    return this.service.update(input);
  }

  @Mutation(() => GuardrailRuleObject, { description: 'Deletes the rule; returns it as it was.' })
  deleteGuardrailRule(@Args('input') input: DeleteGuardrailRuleInput): Promise<GuardrailRuleObject> {
    return this.service.delete(input);
  }

  // Any caller may dry-run SQL (the console's rule editor, an agent checking before it runs); it
  // reveals the connection's rules' names and messages, which a blocked statement shows anyway.
  @Query(() => GuardrailEvaluationObject, { description: "Classifies SQL with the connection's preset and rules, as its workers would. identity/groups default to the caller (name, no groups)." })
  @Authenticated()
  evaluateGuardrails(
    @Args('connection') connection: string,
    @Args('sql') sql: string,
    @CurrentPrincipal() caller: Principal,
    @Args('identity', { type: () => String, nullable: true }) identity?: string | null,
    @Args('groups', { type: () => [String], nullable: true }) groups?: string[] | null,
  ): Promise<GuardrailEvaluationObject> {
    return this.service.evaluate(connection, sql, caller, identity ?? undefined, groups ?? undefined);
  }
}
