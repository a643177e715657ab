package epccsim

import (
	"fmt"
	"strings"
)

// The strategies the Rule Promotions spec lists, for the conditions (rules, and the children of and/or) and
// for the actions.
var (
	ruleStrategies = []string{
		"account_tags", "and", "cart_custom_attribute", "cart_total", "item_attribute", "item_category",
		"item_identifier", "item_price", "item_product_id", "item_quantity", "items_bundle", "item_sku", "or",
	}
	actionStrategies = []string{"cart_discount", "item_discount", "shipping_discount", "items_bundle_discount"}
)

// validateRuleSet checks a Rule Promotion's rule_set as the service does: an object whose rules and actions
// name known strategies.
func validateRuleSet(v any) (reply, bool) {
	if v == nil {
		return reply{}, true
	}
	set, ok := v.(map[string]any)
	if !ok {
		return failedValidation("data.rule_set", "rule_set must be an object"), false
	}
	if rules, set := set["rules"]; set {
		if err := checkCondition(rules); err != "" {
			return failedValidation("data.rule_set.rules", err), false
		}
	}
	if actions, set := set["actions"]; set {
		list, ok := actions.([]any)
		if !ok {
			return failedValidation("data.rule_set.actions", "actions must be an array"), false
		}
		for i, a := range list {
			obj, _ := a.(map[string]any)
			if strategy, _ := obj["strategy"].(string); !oneOf(strategy, actionStrategies) {
				return failedValidation(fmt.Sprintf("data.rule_set.actions.%d.strategy", i),
					fmt.Sprintf("strategy must be one of %s", strings.Join(actionStrategies, ", "))), false
			}
		}
	}
	return reply{}, true
}

// checkCondition checks a condition and its children, returning what is wrong, or "".
func checkCondition(v any) string {
	obj, ok := v.(map[string]any)
	if !ok {
		return "rules must be an object"
	}
	if strategy, _ := obj["strategy"].(string); !oneOf(strategy, ruleStrategies) {
		return fmt.Sprintf("strategy %q is not one of %s", strategy, strings.Join(ruleStrategies, ", "))
	}
	children, _ := obj["children"].([]any)
	for _, c := range children {
		if err := checkCondition(c); err != "" {
			return err
		}
	}
	return ""
}
